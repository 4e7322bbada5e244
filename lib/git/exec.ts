import "server-only";
import { execFile } from "node:child_process";
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
    GIT_SSH_COMMAND: "ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/dev/null",
    ...extra,
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

function run(args: readonly string[], options: RunOptions, encoding: "utf8" | "buffer"): Promise<string | Buffer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const secrets = options.secrets ?? [];
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      [...args],
      {
        cwd: options.cwd,
        // Next.js types ProcessEnv with a required NODE_ENV, which git has no use for.
        env: baseEnv(options.env, options.config) as NodeJS.ProcessEnv,
        timeout: timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
        encoding,
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") return reject(new GitError("too-large", "git printed more than the size limit allows"));
        if (error.killed || error.signal === "SIGKILL") return reject(new GitError("timeout", `git ${args[0] ?? ""} timed out after ${Math.round(timeoutMs / 1000)}s`));
        if (code === "ENOENT") return reject(new GitError("failed", "the git command is not installed on the server"));
        reject(gitFailure(stderr.toString(), secrets));
      },
    );
    // Input is written whole and closed: git reads until EOF.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(options.input ?? "");
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
