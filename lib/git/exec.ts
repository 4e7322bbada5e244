import "server-only";
import { spawn } from "node:child_process";
import { log } from "@/lib/log";
import { GitError, gitFailure } from "./errors";

export type RunOptions = {
  cwd?: string;
  /** Extra environment (credentials travel here, never in argv). */
  env?: Record<string, string>;
  /** Extra `-c` settings, passed through GIT_CONFIG_COUNT/KEY/VALUE rather than argv. */
  config?: Record<string, string>;
  timeoutMs?: number;
  /** stdout and stderr are each capped; a command that prints more is killed. */
  maxOutputBytes?: number;
  input?: string;
  /** Values to scrub from any error text (passwords, tokens) on top of the generic redaction. */
  secrets?: readonly string[];
};

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

// Settings every command runs with, whatever the machine's or the repository's configuration says.
// (GIT_ALLOW_PROTOCOL below already limits transports; these say it again in config form.)
const HARDENED_CONFIG: Record<string, string> = {
  "protocol.file.allow": "never",
  "protocol.ext.allow": "never",
  // Nothing from a repository ever runs here.
  "core.hooksPath": "/dev/null",
  "core.fsmonitor": "false",
  // A redirect could carry the Authorization header to another host.
  "http.followRedirects": "false",
  // An empty value clears helpers inherited from anywhere: credentials come only from us.
  "credential.helper": "",
  "gc.auto": "0",
};

/**
 * ssh options every connection gets: no config file, no prompts, a bounded connect, and a
 * dead peer noticed within 45 s (keepalives every 15 s, three missed).
 */
export const SSH_BASE_COMMAND = "ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=15 -o ServerAliveCountMax=3";

/**
 * A minimal environment built from scratch (not inherited): no user or system git config,
 * no terminal or askpass prompts, only http(s) and ssh transports, C locale for stable
 * messages. Callers may add variables (an SSH command with a key) and config (an
 * Authorization header), but never override the hardened settings, which are applied last.
 */
function baseEnv(extra: Record<string, string> = {}, config: Record<string, string> = {}): Record<string, string> {
  const settings = Object.entries({ ...config, ...HARDENED_CONFIG });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: "/nonexistent",
    LANG: "C",
    LC_ALL: "C",
    GIT_SSH_COMMAND: `${SSH_BASE_COMMAND} -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/dev/null`,
    ...extra,
    // A host that trickles bytes is dropped: under 1 KB/s for 20 s ends the transfer.
    GIT_HTTP_LOW_SPEED_LIMIT: "1000",
    GIT_HTTP_LOW_SPEED_TIME: "20",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "/bin/false",
    SSH_ASKPASS: "/bin/false",
    GIT_ALLOW_PROTOCOL: "http:https:ssh",
    GIT_CONFIG_COUNT: String(settings.length),
  };
  settings.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

/** SIGKILL to the whole process group: git's helpers (git-remote-http, ssh) die with it. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

function run(args: readonly string[], options: RunOptions, encoding: "utf8" | "buffer"): Promise<string | Buffer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const secrets = options.secrets ?? [];
  return new Promise((resolve, reject) => {
    // Detached: git leads a new process group, so a timeout kills the transport helpers it
    // started too (killing git alone left git-remote-http holding its socket, one per attempt).
    const child = spawn("git", [...args], {
      cwd: options.cwd,
      // Next.js types ProcessEnv with a required NODE_ENV, which git has no use for.
      env: baseEnv(options.env, options.config) as NodeJS.ProcessEnv,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const sizes = { stdout: 0, stderr: 0 };
    let failure: GitError | undefined;
    const stop = (error: GitError) => {
      failure ??= error;
      killGroup(child.pid);
    };
    const timer = setTimeout(() => stop(new GitError("timeout", `git ${args[0] ?? ""} timed out after ${Math.round(timeoutMs / 1000)}s`)), timeoutMs);
    const collect = (stream: "stdout" | "stderr", into: Buffer[]) => (chunk: Buffer) => {
      sizes[stream] += chunk.length;
      if (sizes[stream] > maxBytes) return stop(new GitError("too-large", "git printed more than the size limit allows"));
      into.push(chunk);
    };
    child.stdout.on("data", collect("stdout", stdout));
    child.stderr.on("data", collect("stderr", stderr));
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === "ENOENT" ? new GitError("failed", "the git command is not installed on the server") : new GitError("failed", "git could not be started"));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      // Whatever git left running in its group (a helper stuck on a socket) goes too.
      killGroup(child.pid);
      if (failure) return reject(failure);
      if (code === 0) {
        const out = Buffer.concat(stdout);
        return resolve(encoding === "utf8" ? out.toString("utf8") : out);
      }
      if (signal) return reject(new GitError("failed", `git ${args[0] ?? ""} was stopped by ${signal}`));
      const error = gitFailure(Buffer.concat(stderr).toString("utf8"), secrets);
      // The page shows a class of failure; git's own (scrubbed) words go to the server log.
      if ((error.kind === "failed" || error.kind === "network") && error.detail) log.warn("git command failed", { command: args[0] ?? "", kind: error.kind, detail: error.detail });
      reject(error);
    });
    // Input is written whole and closed: git reads until EOF.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

/**
 * Runs `git <args>` without a shell. Every argument is a separate argv entry, callers put
 * `--` before any user-derived value, and the command is killed at its timeout or when it
 * prints more than the cap.
 */
export function runGit(args: readonly string[], options: RunOptions = {}): Promise<string> {
  return run(args, options, "utf8") as Promise<string>;
}

/** runGit for output that is bytes, not text (blob contents with their byte lengths). */
export function runGitBuffer(args: readonly string[], options: RunOptions = {}): Promise<Buffer> {
  return run(args, options, "buffer") as Promise<Buffer>;
}
