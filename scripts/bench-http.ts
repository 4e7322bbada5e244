// Shared by the page benchmarks: the real production server on a seeded database, a signed-in
// session, and p50/p95 of full HTTP requests (server render included) with Node's fetch.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { percentile } from "./bench-proc";

const root = path.resolve(__dirname, "..");
const nextBin = path.join(root, "node_modules/next/dist/bin/next");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export type Portal = { baseUrl: string; stop(): void };

/** `next start` (built first if needed) against the given environment; background loops off. */
export async function startPortal(env: Record<string, string>): Promise<Portal> {
  if (!fs.existsSync(path.join(root, ".next/BUILD_ID"))) {
    const build = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: "inherit" });
    if (build.status !== 0) throw new Error("next build failed");
  }
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: root,
    env: { ...process.env, ...env, NODE_ENV: "production", FLEETLINE_BACKGROUND: "off", NEXTAUTH_URL: `http://127.0.0.1:${port}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The portal's last words, for the error when it does not come up.
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = () => child.kill("SIGTERM");
  process.on("exit", stop);
  // Three minutes: a two-core machine shared with other builds can take more than one to start Next.
  for (let i = 0; i < 720; i++) {
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) return { baseUrl, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error(`the portal did not start within 180 s${child.exitCode !== null ? ` (it exited with ${child.exitCode})` : ""}:\n${output}`);
}

/** Signs in through next-auth's credentials flow and returns the Cookie header of the session. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: jar },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const session = response.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c?.includes("session-token"));
  if (!session) throw new Error(`sign-in failed (${response.status})`);
  return `${jar}; ${session}`;
}

/** Sequential GETs (after warm-up) of a page: p50/p95 of the full response, body read. */
export async function timePage(label: string, url: string, cookie: string, runs = 50): Promise<{ p50: number; p95: number; bytes: number }> {
  const get = async () => {
    const response = await fetch(url, { headers: { Cookie: cookie } });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    return body.length;
  };
  for (let i = 0; i < 5; i++) await get();
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    bytes = await get();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const result = { p50: percentile(samples, 50), p95: percentile(samples, 95), bytes };
  console.log(`  ${label.padEnd(44)} p50 ${result.p50.toFixed(1).padStart(7)} ms   p95 ${result.p95.toFixed(1).padStart(7)} ms   (${Math.round(bytes / 1024)} KiB)`);
  return result;
}
