import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// The clusters list against a real SQLite file: what needs attention comes first by default.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let queries: typeof import("./clusters");

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  temp = await useTempDatabase();
  const sqlite = temp.db.$client;
  const now = Date.now();
  const insertCluster = sqlite.prepare(
    "insert into clusters (id, name, display_name, labels, server, auth_method, credentials, credentials_fingerprint, credentials_rotated_at, updated_at, created_by) values (?, ?, ?, '{}', 'https://10.0.0.1:6443', 'token', 'sealed', 'fp', ?, ?, 'test')",
  );
  const insertHealth = sqlite.prepare("insert into cluster_health (cluster_id, state, last_seen_at, next_check_at) values (?, ?, ?, ?)");
  // [name, health state, ever seen]; no state: never checked at all (no health row).
  const fleet: [string, "reachable" | "unreachable" | "unknown" | null, boolean][] = [
    ["alpha", "reachable", true],
    ["bravo", "unreachable", true],
    ["charlie", "reachable", true],
    ["delta", null, false],
    ["echo", "unreachable", false],
    ["foxtrot", "unknown", true],
    ["golf", "unknown", false],
  ];
  for (const [name, state, seen] of fleet) {
    insertCluster.run(name, name, name, now, now);
    if (state) insertHealth.run(name, state, seen ? now : null, now);
  }
  queries = await import("./clusters");
});

afterAll(() => temp.cleanup());

describe("listClusters", () => {
  it("lists down and never-reached clusters first by default, then unknown, then reachable, each by name", () => {
    const { rows, total } = queries.listClusters(queries.clusterFilterSchema.parse({}));
    expect(total).toBe(7);
    expect(rows.map((r) => r.name)).toEqual(["bravo", "delta", "echo", "golf", "foxtrot", "alpha", "charlie"]);
  });

  it("still sorts by name when asked", () => {
    const { rows } = queries.listClusters(queries.clusterFilterSchema.parse({ sort: "name" }));
    expect(rows.map((r) => r.name)).toEqual(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]);
  });
});
