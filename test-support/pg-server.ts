// A throwaway PostgreSQL 15 server for tests, started the way the harness starts its API servers:
// initdb into a temp dir, the postmaster in the foreground under the watchdog (it dies with this
// process), loopback only, on a free port, with durability off (a test's data is thrown away).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort, pollUntil, registerTempDir, removeTempDir, spawnGuarded } from "./process-guard";

const BIN = process.env.FLEETLINE_PG_BIN ?? "/usr/lib/postgresql/15/bin";

export type PgServer = { port: number; adminUrl: string; stop(): Promise<void> };

// initdb and the postmaster refuse to run as root; as root, both run as the `postgres` user.
function asServerUser(dir: string): string[] {
  if (process.getuid?.() !== 0) return [];
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  fs.chownSync(dir, uid, gid);
  return ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "--"];
}

export async function startPgServer(): Promise<PgServer> {
  if (!fs.existsSync(path.join(BIN, "postgres"))) {
    throw new Error(`PostgreSQL server binaries are not in ${BIN} (install Debian's postgresql package, or set FLEETLINE_PG_BIN)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-pg-"));
  fs.chmodSync(dir, 0o755);
  registerTempDir(dir);
  const data = path.join(dir, "data");
  fs.mkdirSync(data, { mode: 0o700 });
  const wrap = asServerUser(dir);
  asServerUser(data);
  const run = (bin: string, args: string[]) => (wrap.length ? [wrap[0]!, [...wrap.slice(1), path.join(BIN, bin), ...args]] as const : [path.join(BIN, bin), args] as const);

  const [initCmd, initArgs] = run("initdb", ["-D", data, "-U", "fleetline", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
  execFileSync(initCmd, initArgs, { stdio: "pipe" });

  const port = await freePort();
  const [cmd, args] = run("postgres", [
    "-D", data, "-p", String(port), "-k", dir,
    "-c", "listen_addresses=127.0.0.1",
    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
    "-c", "max_connections=200", "-c", "shared_buffers=32MB",
  ]);
  const server = spawnGuarded(cmd, [...args], path.join(dir, "postgres.log"), dir);
  const adminUrl = `postgres://fleetline@127.0.0.1:${port}/postgres`;
  await pollUntil("PostgreSQL to accept connections", 60_000, 100, async () => {
    if (server.pid && (await Promise.race([server.exited.then(() => true), Promise.resolve(false)]))) {
      throw new Error(`PostgreSQL exited: ${fs.readFileSync(path.join(dir, "postgres.log"), "utf8").slice(-2000)}`);
    }
    const client = new pg.Client(adminUrl);
    try {
      await client.connect();
      await client.query("select 1");
      return true;
    } finally {
      await client.end().catch(() => {});
    }
  });
  return {
    port,
    adminUrl,
    async stop() {
      await server.kill();
      removeTempDir(dir);
    },
  };
}

/** A fresh, empty database on `server`, named for what uses it; its URL. */
export async function createDatabase(adminUrl: string, prefix = "t"): Promise<string> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  const client = new pg.Client(adminUrl);
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
