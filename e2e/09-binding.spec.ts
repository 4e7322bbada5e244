import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";

// Where `npm start`'s server (scripts/server.mjs, on the production build) listens: loopback unless
// FLEETLINE_HOST says otherwise, whatever HOSTNAME the environment exports (issue 11 item 12).
// 127.0.0.2 stands in for "another address of this machine": on Linux all of 127/8 is loopback,
// so a server bound to 127.0.0.1 refuses it and nothing here leaves the machine.

const started: ChildProcess[] = [];
test.afterEach(() => {
  for (const child of started.splice(0)) child.kill("SIGTERM");
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

/** Starts scripts/server.mjs with only the given host settings; resolves once it listens or exits. */
async function startServer(settings: Record<string, string>): Promise<{ listening: boolean; output: string; code: number | null }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-bind-"));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !["HOSTNAME", "FLEETLINE_HOST", "PORT"].includes(k)) env[k] = v;
  const child = spawn(process.execPath, ["scripts/server.mjs"], {
    env: {
      ...env,
      NODE_ENV: "production",
      DATABASE_URL: path.join(dir, "fleetline.db"),
      FLEETLINE_DATA_DIR: dir,
      FLEETLINE_SECRET_KEY: crypto.randomBytes(32).toString("hex"),
      FLEETLINE_BACKGROUND: "off",
      NEXTAUTH_URL: "http://127.0.0.1:3000",
      ...settings,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let output = "";
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ listening: false, output, code: null }), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("fleetline listening")) {
        clearTimeout(timer);
        resolve({ listening: true, output, code: null });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ listening: false, output, code });
    });
  });
}

/** The HTTP status /api/health answers on host:port, or the connection error's code. */
async function health(host: string, port: number): Promise<number | string> {
  try {
    const response = await fetch(`http://${host}:${port}/api/health`, { signal: AbortSignal.timeout(30_000) });
    return response.status;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? String(error);
  }
}

test("with no FLEETLINE_HOST it listens on 127.0.0.1 only, even when HOSTNAME names the machine", async () => {
  const port = await freePort();
  // What a login shell, Docker or Kubernetes exports: the machine's name, here one that does not resolve.
  const server = await startServer({ PORT: String(port), HOSTNAME: "fleetline-build-host.invalid" });
  expect(server.output).not.toContain("ENOTFOUND");
  expect(server.listening).toBe(true);
  expect(await health("127.0.0.1", port)).toBe(200);
  expect(await health("127.0.0.2", port)).toBe("ECONNREFUSED");
});

test("FLEETLINE_HOST binds the server to that address and no other", async () => {
  const port = await freePort();
  const server = await startServer({ PORT: String(port), FLEETLINE_HOST: "127.0.0.2" });
  expect(server.listening).toBe(true);
  expect(server.output).toContain(`listening on http://127.0.0.2:${port}`);
  expect(await health("127.0.0.2", port)).toBe(200);
  expect(await health("127.0.0.1", port)).toBe("ECONNREFUSED");
});

test("a PORT that is not a port stops the server with the variable named, instead of listening somewhere", async () => {
  // "0" would otherwise listen on any free port, "http" fail deep inside Node.
  for (const port of ["http", "0"]) {
    const server = await startServer({ PORT: port });
    expect(server.listening, `PORT=${port}`).toBe(false);
    expect(server.code).not.toBe(0);
    expect(server.output).toContain("PORT must be a TCP port");
  }
});
