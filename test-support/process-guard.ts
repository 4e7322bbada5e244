// Child processes and temp dirs of the harness, with cleanup that survives
// every way a test run can end: stop(), normal exit, SIGINT/SIGTERM, and even
// SIGKILL of this process (a shell watchdog kills the server when its parent,
// this process, disappears).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

export type GuardedProcess = {
  pid: number;
  /** Resolves with the exit code (or null when killed by a signal). */
  exited: Promise<number | null>;
  kill(): Promise<void>;
};

// The server runs as a child of this shell, in the shell's process group. The
// loop compares the shell's current parent with the one it started with:
// once this Node process dies the shell is re-parented and kills the server.
// `read` is a builtin, so each tick costs one `sleep` fork only; ticks are 3 s apart (at 1 s, the
// browser suite's eight servers forked eight sleeps a second on a machine where forks are dear).
const WATCHDOG = [
  '"$@" &',
  "child=$!",
  "while :; do",
  "  read -r _ _ _ ppid _ < /proc/$$/stat",
  '  [ "$ppid" = "$PPID" ] || break',
  '  kill -0 "$child" 2>/dev/null || { wait "$child"; exit $?; }',
  "  sleep 3",
  "done",
  'kill -KILL "$child" 2>/dev/null',
  'wait "$child" 2>/dev/null',
  '[ -z "$WATCHDOG_CLEANUP_DIR" ] || rm -rf "$WATCHDOG_CLEANUP_DIR"',
].join("\n");

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let handlersInstalled = false;

function killGroupSync(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole group (watchdog shell, server, a pending sleep).
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Synchronous last-resort cleanup, safe to call from an 'exit' handler. */
export function cleanupSync(): void {
  for (const child of live) killGroupSync(child);
  live.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupSync();
  // Keep the default behaviour (terminate) unless someone else handles it too.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", cleanupSync);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);
}

export function registerTempDir(dir: string): void {
  installHandlers();
  tempDirs.add(dir);
}

export function removeTempDir(dir: string): void {
  tempDirs.delete(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts `command` under the watchdog, stdout+stderr appended to `logPath`.
 * If this process dies without cleaning up, the watchdog also deletes `orphanDir`.
 */
export function spawnGuarded(command: string, args: string[], logPath: string, orphanDir?: string): GuardedProcess {
  installHandlers();
  const log = fs.openSync(logPath, "a");
  const child = spawn("/bin/sh", ["-c", WATCHDOG, "watchdog", command, ...args], {
    detached: true, // own process group, so one kill reaches every member
    stdio: ["ignore", log, log],
    env: { ...process.env, WATCHDOG_CLEANUP_DIR: orphanDir ?? "" },
  });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  live.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      live.delete(child);
      resolve(code);
    });
    child.once("error", () => {
      live.delete(child);
      resolve(null);
    });
  });
  // Do not keep the event loop alive just for the servers.
  child.unref();
  return {
    pid: child.pid,
    exited,
    async kill() {
      // Hold the event loop open until the exit is seen (the child is unref'd).
      child.ref();
      killGroupSync(child);
      await exited;
    },
  };
}

const handedOut = new Set<number>();

/** A free TCP port on 127.0.0.1, never the same one twice in this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        const found = typeof address === "object" && address !== null ? address.port : 0;
        server.close(() => resolve(found));
      });
    });
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("no free port found on 127.0.0.1");
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `everyMs` until it returns a value other than undefined. */
export async function pollUntil<T>(
  what: string,
  timeoutMs: number,
  everyMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(everyMs);
  }
  const detail = lastError instanceof Error ? `: ${lastError.message}` : "";
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
}
