import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let sameServer: typeof import("./same-server");

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  temp = await useTempDatabase();
  sameServer = await import("./same-server");
  const { clusters } = await import("@/db/schema");
  const now = new Date();
  for (const [id, name, server] of [["a", "prod-admin", "https://10.0.0.1:6443"], ["b", "dev", "https://10.0.0.2:6443"]] as const) {
    temp.db.insert(clusters).values({ id, name, displayName: name, labels: {}, server, authMethod: "token", credentials: "sealed", credentialsFingerprint: "x", credentialsRotatedAt: now, updatedAt: now, createdBy: "test" }).run();
  }
});
afterAll(() => temp?.cleanup());

describe("the same API server registered twice", () => {
  it("finds the clusters already on a server, whatever the spelling of its URL", () => {
    expect(sameServer.clustersOnServer("https://10.0.0.1:6443")).toEqual(["prod-admin"]);
    expect(sameServer.clustersOnServer("https://10.0.0.1:6443/")).toEqual(["prod-admin"]);
    expect(sameServer.clustersOnServer("https://10.0.0.3:6443")).toEqual([]);
    expect(sameServer.clustersOnServer("https://10.0.0.1:6443", "a")).toEqual([]);
  });

  it("normalizes case, default ports and trailing slashes", () => {
    expect(sameServer.normalizeServer("https://API.Example.com:443/")).toBe("https://api.example.com");
    expect(sameServer.normalizeServer("https://api.example.com:6443/k8s/")).toBe("https://api.example.com:6443/k8s");
  });
});
