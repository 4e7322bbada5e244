// Runs the git CLI isolated from the machine's and user's git configuration,
// so fixtures and stand-ins behave the same everywhere.
import { spawn } from "node:child_process";

export class GitError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "GitError";
  }
}

export type GitOptions = {
  cwd?: string;
  env?: Record<string, string>;
  input?: string | Buffer;
  timeoutMs?: number;
};

const ISOLATED_ENV: Record<string, string> = {
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  // Never wait for a password on a terminal: fail with git's own message instead.
  GIT_TERMINAL_PROMPT: "0",
  GIT_ASKPASS: "",
  SSH_ASKPASS: "",
  LANG: "C",
  LC_ALL: "C",
  GIT_AUTHOR_NAME: "Fleetline Fixtures",
  GIT_AUTHOR_EMAIL: "fixtures@fleetline.test",
  GIT_COMMITTER_NAME: "Fleetline Fixtures",
  GIT_COMMITTER_EMAIL: "fixtures@fleetline.test",
};

/**
 * This process's environment without GIT_* variables (a test run from a git hook
 * inherits GIT_DIR, GIT_INDEX_FILE...), plus the isolation settings and `extra`.
 */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("GIT_")) delete env[key];
  return Object.assign(env, ISOLATED_ENV, extra);
}

/** Runs `git args...`; resolves with stdout, rejects with GitError carrying stderr. */
export function git(args: string[], options: GitOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd: options.cwd,
      env: gitEnv(options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new GitError(`git ${args[0] ?? ""}: ${e.message}`, ""));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString("utf8").trim();
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else if (signal) reject(new GitError(`git ${args[0] ?? ""} timed out`, stderr));
      else reject(new GitError(stderr || `git ${args[0] ?? ""} exited with ${code}`, stderr));
    });
    // A git that exits before reading its input (it failed) is reported by "close"; the EPIPE is not.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input);
  });
}
