import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterHealth } from "@/db/schema";
import { useTempDatabase } from "@/test-support/temp-db";

// The loop starts a pass for whichever clusters are due every tick, so passes overlap; the
// observation limit (FLEETLINE_HEALTH_CONCURRENCY) must hold across them, or an overloaded fleet
// is observed all at once and every cluster misses its deadline (seen in bench:fleet). Two
// registrations of one black hole (accepts TCP, never answers) observed by two passes at once: with
// a limit of 1, the second is contacted only after the first was given up on and recorded.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let blackHole: net.Server;
const sockets = new Set<net.Socket>();
// At each connection: how many clusters have already been recorded as unreachable.
const recordedAtConnect: number[] = [];
let ids: string[];

beforeAll(async () => {
  Object.assign(process.env, { FLEETLINE_SECRET_KEY: "11".repeat(32), FLEETLINE_BACKGROUND: "off", FLEETLINE_HEALTH_CONCURRENCY: "1", FLEETLINE_HEALTH_TIMEOUT_MS: "1000" });
  temp = await useTempDatabase();
  blackHole = net.createServer((socket) => {
    sockets.add(socket);
    recordedAtConnect.push(temp.db.select().from(clusterHealth).all().filter((h) => h.state === "unreachable").length);
    socket.resume();
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
  const { port } = blackHole.address() as net.AddressInfo;
  const registry = await import("@/lib/inventory/registry");
  ids = ["hole-a", "hole-b"].map(
    (name) => registry.insertCluster({ name, displayName: name, labels: {}, authMethod: "token", credentials: { server: `https://127.0.0.1:${port}`, token: "t" }, createdBy: "test" }, null).id,
  );
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => blackHole?.close(resolve));
  temp?.cleanup();
});

describe("the observation limit", () => {
  it("holds across passes that overlap", async () => {
    const loop = await import("./loop");
    const [a, b] = await Promise.all(ids.map((id) => loop.runStatusSweep({ clusterIds: [id], gitMaxAgeMs: 0 })));
    expect([...a!.clusters, ...b!.clusters].map((c) => c.status)).toEqual(["unreachable", "unreachable"]);
    // Before the limit held across passes, both were contacted at once: [0, 0].
    expect(recordedAtConnect).toEqual([0, 1]);
  });
});
