import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterError, createClusterClient } from "./client";
import { classifyError } from "./discovery";

// A "black hole": accepts TCP connections and never says a word, so TLS never completes.
let blackHole: net.Server;
let port: number;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  blackHole = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
  port = (blackHole.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => blackHole.close(resolve));
});

describe("a black-holed API server", () => {
  it.each([
    [500, "timed out after 500ms"],
    [1500, "timed out after 1.5s"],
  ])("times out after %ims with kind 'timeout'", async (timeoutMs, message) => {
    const client = createClusterClient({ server: `https://127.0.0.1:${port}`, token: "t" }, { timeoutMs });
    const started = Date.now();
    const error = await client.version().catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(ClusterError);
    expect(classifyError(error)).toEqual({ kind: "timeout", message });
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 20);
    // Slack for a loaded CI machine; the point is "about timeoutMs", not the OS's minutes.
    expect(elapsed).toBeLessThan(timeoutMs + 1000);
  });

  it("uses 5s by default", async () => {
    const client = createClusterClient({ server: `https://127.0.0.1:${port}`, token: "t" });
    const error = await client.get("/api").catch((e: unknown) => e);
    expect(classifyError(error)).toEqual({ kind: "timeout", message: "timed out after 5s" });
  });

  it("bounds the watch's connect phase by the same timeout", async () => {
    const client = createClusterClient({ server: `https://127.0.0.1:${port}`, token: "t" }, { timeoutMs: 300 });
    const error = await client.watch("/api/v1/configmaps", "0", () => undefined, new AbortController().signal).catch((e: unknown) => e);
    expect(classifyError(error)).toEqual({ kind: "timeout", message: "timed out after 300ms" });
  });

  it.each([
    ["over HTTP/2", true, "the client of this cluster was closed (its credentials changed or it was removed)"],
    ["over HTTP/1.1", false, /^connection to 127\.0\.0\.1:\d+ was reset$/],
  ] as const)("closing the client ends a request still waiting for the connection, at once (%s)", async (_, http2, message) => {
    const client = createClusterClient({ server: `https://127.0.0.1:${port}`, token: "t" }, { timeoutMs: 5000, http2 });
    const started = Date.now();
    const pending = client.version().catch((e: unknown) => e);
    setTimeout(() => client.close(), 100);
    const error = await pending;
    expect(classifyError(error)).toEqual({ kind: "network", message: typeof message === "string" ? message : expect.stringMatching(message) });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("returns 'aborted' when the caller cancels a watch", async () => {
    const client = createClusterClient({ server: `https://127.0.0.1:${port}`, token: "t" }, { timeoutMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await client.watch("/api/v1/configmaps", "42", () => undefined, controller.signal)).toEqual({ outcome: "aborted", resourceVersion: "42" });
  });
});

describe("a host that does not resolve", () => {
  it("fails with kind 'dns'", async () => {
    const client = createClusterClient({ server: "https://fleetline-test.invalid:6443", token: "t" });
    const error = await client.version().catch((e: unknown) => e);
    expect(classifyError(error)).toEqual({ kind: "dns", message: "DNS lookup failed for fleetline-test.invalid" });
  });
});
