import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createDatabase, startPgServer } from "../test-support/pg-server";
import { SERVER_NODE_FLAGS, serverEnv } from "../scripts/node-flags.mjs";

// Issue 17: the container image runs Next's standalone output, laid out by scripts/image-root.mjs
// (the Dockerfile's last build step), as a non-root user on a read-only root filesystem. No
// container runtime runs here, so this serves the same layout from a temporary folder, with the
// data directory elsewhere, and checks that the server answers and writes nothing to its
// working directory (which the image mounts read-only).

type Entry = { size: number; mtimeMs: number };

function snapshot(dir: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const stat = fs.lstatSync(path.join(dir, name));
    entries.set(name, { size: stat.size, mtimeMs: stat.mtimeMs });
  }
  return entries;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

let work: string;
// Every server a test started: each test kills its own, and afterAll whatever a failure left. The
// first test's server was kept in one variable the second overwrote, and outlived the run.
const servers = new Set<ChildProcess>();
function startServer(cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  // As the container image starts it (the Dockerfile's CMD and ENV).
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, "scripts/server.mjs"], { cwd, env: serverEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  servers.add(child);
  return child;
}
function stopServer(child: ChildProcess | undefined): void {
  if (!child) return;
  child.kill("SIGKILL");
  servers.delete(child);
}

test.beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-image-"));
});

test.afterAll(() => {
  for (const child of [...servers]) stopServer(child);
  spawnSync("chmod", ["-R", "u+w", work]);
  fs.rmSync(work, { recursive: true, force: true });
});

test("the image's standalone layout serves health, readiness and pages without writing to its working directory", async ({ playwright }) => {
  test.setTimeout(120_000);
  const image = path.join(work, "app");
  const data = path.join(work, "data");
  fs.mkdirSync(data);
  const laid = spawnSync(process.execPath, ["scripts/image-root.mjs", image], { encoding: "utf8" });
  expect(laid.status, laid.stderr).toBe(0);
  // Neither sources nor tests nor the full install go into the image.
  for (const absent of ["app", "lib", "e2e", "test-support", "node_modules/typescript", "node_modules/@playwright", "node_modules/vitest"]) {
    expect(fs.existsSync(path.join(image, absent)), absent).toBe(false);
  }
  expect(fs.readdirSync(path.join(image, "db", "migrations")).some((f) => f.endsWith(".sql"))).toBe(true);
  // Read-only for anyone but root (the image's user is not root); the snapshot below is the check that also holds as root.
  spawnSync("chmod", ["-R", "a-w", image]);
  const before = snapshot(image);

  const port = await freePort();
  let output = "";
  const server = startServer(image, {
    PATH: process.env.PATH,
    HOME: data,
    NODE_ENV: "production",
    PORT: String(port),
    FLEETLINE_HOST: "127.0.0.1",
    FLEETLINE_DATA_DIR: data,
    DATABASE_URL: path.join(data, "fleetline.db"),
    FLEETLINE_SECRET_KEY: "22".repeat(32),
    FLEETLINE_BACKGROUND: "off",
  });
  server.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const api = await playwright.request.newContext({ baseURL: `http://127.0.0.1:${port}` });
  await expect
    .poll(async () => (await api.get("/api/health").catch(() => null))?.status() ?? 0, { timeout: 60_000 })
    .toBe(200)
    .catch((error: unknown) => {
      throw new Error(`the standalone server did not answer: ${String(error)}\n${output}`);
    });
  expect(await (await api.get("/api/health")).json()).toMatchObject({ status: "ok", database: "ok" });
  // Migrations ran from the image's db/migrations into the data directory.
  const ready = await api.get("/api/ready");
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toMatchObject({ status: "ready", pendingMigrations: 0 });
  expect(fs.existsSync(path.join(data, "fleetline.db"))).toBe(true);

  // A server-rendered page and its static assets (which come from .next/static, not the standalone folder).
  const setup = await api.get("/setup");
  expect(setup.status()).toBe(200);
  const html = await setup.text();
  expect(html).toContain("Create the first administrator");
  const asset = html.match(/\/_next\/static\/[^"]+\.js/)?.[0];
  expect(asset).toBeTruthy();
  expect((await api.get(asset!)).status()).toBe(200);
  // The headers and configuration of next.config.ts hold without next.config.ts (read from the build).
  expect((await api.get("/api/health")).headers()["x-frame-options"]).toBe("DENY");
  await api.dispose();

  const after = snapshot(image);
  const changed = [...after.keys()].filter((name) => JSON.stringify(after.get(name)) !== JSON.stringify(before.get(name)));
  expect(changed, "files the server wrote in its working directory").toEqual([]);
  expect(after.size).toBe(before.size);
  stopServer(server);
});

test("the same layout runs on PostgreSQL: migrates it, answers ready, serves a page, and logs the URL without its password", async ({ playwright }) => {
  test.setTimeout(180_000);
  const image = path.join(work, "app-pg");
  const data = path.join(work, "data-pg");
  fs.mkdirSync(data);
  const laid = spawnSync(process.execPath, ["scripts/image-root.mjs", image], { encoding: "utf8" });
  expect(laid.status, laid.stderr).toBe(0);
  expect(fs.existsSync(path.join(image, "db", "pg", "worker.mjs"))).toBe(true);
  const pg = await startPgServer();
  let output = "";
  let child: ChildProcess | undefined;
  try {
    // A password the server must never print (trust authentication ignores it).
    const url = (await createDatabase(pg.adminUrl)).replace("fleetline@", "fleetline:pg-Pa55word-e2e@");
    const port = await freePort();
    child = startServer(image, { PATH: process.env.PATH, HOME: data, NODE_ENV: "production", PORT: String(port), FLEETLINE_HOST: "127.0.0.1", FLEETLINE_DATA_DIR: data, DATABASE_URL: url, FLEETLINE_SECRET_KEY: "22".repeat(32), FLEETLINE_BACKGROUND: "on" });
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const api = await playwright.request.newContext({ baseURL: `http://127.0.0.1:${port}` });
    await expect
      .poll(async () => (await api.get("/api/ready").catch(() => null))?.status() ?? 0, { timeout: 90_000 })
      .toBe(200)
      .catch((error: unknown) => {
        throw new Error(`the standalone server on PostgreSQL did not become ready: ${String(error)}\n${output}`);
      });
    expect(await (await api.get("/api/ready")).json()).toMatchObject({ status: "ready", database: "ok", pendingMigrations: 0 });
    expect(await (await api.get("/api/health")).json()).toMatchObject({ status: "ok", database: "ok", replicas: { live: 1 } });
    const setup = await api.get("/setup");
    expect(setup.status()).toBe(200);
    expect(await setup.text()).toContain("Create the first administrator");
    await api.dispose();
    // Nothing went to a SQLite file, and the log names the database without the password.
    expect(fs.readdirSync(data).filter((f) => f.endsWith(".db"))).toEqual([]);
    expect(output).toMatch(/"database":"postgres:\/\/fleetline@127\.0\.0\.1:\d+\//);
    expect(output).not.toContain("pg-Pa55word-e2e");
  } finally {
    stopServer(child);
    await pg.stop();
  }
});
