// A throwaway PostgreSQL 15 server for tests: its own data directory, a free port on 127.0.0.1,
// trust authentication for the `fleetline` user, and durability off (the data dies with the test).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, pollUntil, registerTempDir, removeTempDir, spawnGuarded } from "./process-guard";

const BIN = "/usr/lib/postgresql/15/bin";
export const POSTGRES_USER = "fleetline";

export type PostgresServer = { url: string; stop(): Promise<void> };

// initdb and postgres refuse to run as root: as root, the data directory goes to the `postgres`
// account. setpriv execs the server in place (runuser would stay between it and the watchdog,
// which then killed runuser and left the server running).
const asRoot = process.getuid?.() === 0;
const asServerUser = (command: string, args: string[]): [string, string[]] =>
  asRoot ? ["/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", command, ...args]] : [command, args];

function run(command: string, args: string[]): void {
  const [file, argv] = asServerUser(command, args);
  try {
    execFileSync(file, argv, { stdio: "pipe", timeout: 60_000 });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`${path.basename(command)} failed: ${stderr.trim() || String(error)}`);
  }
}

/**
 * Starts a fresh server. The postmaster runs in the foreground under the process guard (not
 * daemonized by `pg_ctl start`, which would put it in a session of its own): if this test process
 * dies, the watchdog kills its process group and deletes the directory.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-pg-"));
  registerTempDir(dir);
  const data = path.join(dir, "data");
  let server: ReturnType<typeof spawnGuarded> | undefined;
  try {
    if (asRoot) {
      const { uid, gid } = userIds("postgres");
      fs.chownSync(dir, uid, gid);
    }
    run(path.join(BIN, "initdb"), ["-D", data, "-U", POSTGRES_USER, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
    const port = await freePort();
    const settings = ["listen_addresses=127.0.0.1", `port=${port}`, `unix_socket_directories=${dir}`, "fsync=off", "synchronous_commit=off", "full_page_writes=off"];
    const [file, argv] = asServerUser(path.join(BIN, "postgres"), ["-D", data, ...settings.flatMap((s) => ["-c", s])]);
    server = spawnGuarded(file, argv, path.join(dir, "server.log"), dir);
    const url = `postgres://${POSTGRES_USER}@127.0.0.1:${port}/postgres`;
    let exitedEarly = false;
    const running = server;
    void running.exited.then(() => (exitedEarly = true));
    await pollUntil("PostgreSQL to accept connections", 30_000, 100, async () => {
      if (exitedEarly) throw new Error(`postgres exited: ${fs.readFileSync(path.join(dir, "server.log"), "utf8").slice(-2000)}`);
      try {
        execFileSync(path.join(BIN, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-U", POSTGRES_USER, "-q"], { stdio: "ignore", timeout: 5_000 });
        return true;
      } catch {
        return undefined;
      }
    });
    let stopped: Promise<void> | undefined;
    return {
      url,
      stop: () =>
        (stopped ??= (async () => {
          try {
            run(path.join(BIN, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
          } finally {
            await running.kill();
            removeTempDir(dir);
          }
        })()),
    };
  } catch (error) {
    await server?.kill();
    removeTempDir(dir);
    throw error;
  }
}

function userIds(name: string): { uid: number; gid: number } {
  const line = fs
    .readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`no ${name} account: PostgreSQL will not run as root`);
  return { uid: Number(uid), gid: Number(gid) };
}
