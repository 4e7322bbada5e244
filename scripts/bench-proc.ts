// Small helpers shared by the benchmarks: percentiles, timed samples of a synchronous call, and
// the CPU time and resident memory Linux reports in /proc/<pid>/stat and /proc/<pid>/status.
import fs from "node:fs";
import { performance } from "node:perf_hooks";

/** The p-th percentile (nearest rank) of ascending samples; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** Milliseconds each of `runs` calls of `fn` took (after `warmup` untimed calls), ascending. */
export function sampleSync(runs: number, fn: () => unknown, warmup = 0): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b);
}

/**
 * User + system CPU time in clock ticks from the text of /proc/<pid>/stat. The command name
 * (field 2) is in parentheses and may hold spaces or parentheses itself, so fields are counted
 * from the last ")": utime and stime are fields 14 and 15.
 */
export function cpuTicksFromStat(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(")") + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state): field n is rest[n - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error("unexpected /proc/<pid>/stat format");
  return utime + stime;
}

/** Resident memory in KiB (VmRSS) from the text of /proc/<pid>/status. */
export function rssKibFromStatus(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error("no VmRSS in /proc/<pid>/status (has the process exited?)");
  return Number(match[1]);
}

// Linux's USER_HZ: 100 on every architecture Node runs on.
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid: number): number {
  return cpuTicksFromStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8")) / TICKS_PER_SECOND;
}

/** The process's resident memory in MiB now. */
export function rssMib(pid: number): number {
  return rssKibFromStatus(fs.readFileSync(`/proc/${pid}/status`, "utf8")) / 1024;
}
