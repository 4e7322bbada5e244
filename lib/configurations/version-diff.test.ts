import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// Issue 13: a version diff shown for one cluster is rendered by that cluster's reconciler, so an
// Argo CD target sees its Applications change, not Flux objects it never gets.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let configurationId = "";

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  const store = await import("./store");
  const spec = (path: string) => ({
    name: "shop",
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } },
    kustomizations: [{ name: "apps", path }],
    targets: { selector: { matchLabels: { env: "prod" } } },
  });
  const created = store.createConfiguration(spec("./apps/v1"), { author: "test" });
  if (created.status !== "ok") throw new Error(JSON.stringify(created));
  configurationId = created.configuration.id;
  const updated = store.updateConfiguration(configurationId, spec("./apps/v2"), { author: "test" });
  if (updated.status !== "ok") throw new Error(JSON.stringify(updated));
});
afterAll(() => temp?.cleanup());

async function diffLines(reconciler: string): Promise<string[]> {
  const { diffVersions } = await import("./version-diff");
  const diff = await diffVersions(configurationId, 1, 2, { id: "c-1", name: "paris", labels: { env: "prod" }, reconciler });
  return diff?.hunks?.flatMap((hunk) => hunk.lines.map((line) => `${line.kind === "add" ? "+" : line.kind === "remove" ? "-" : " "}${line.text}`)) ?? [];
}

describe("a version diff for one cluster", () => {
  it("shows an Argo CD cluster its Application's change", async () => {
    const lines = await diffLines("argocd");
    // The Application's source.path (Argo CD's form: no "./"), among its own fields.
    expect(lines.filter((l) => /^[-+]/.test(l)).map((l) => l.replace(/^([-+])\s+/, "$1"))).toEqual(["-path: apps/v1", "+path: apps/v2"]);
    expect(lines.map((l) => l.trim())).toContain("repoURL: https://github.com/acme/fleet");
    expect(lines.some((l) => /prune: false|sourceRef/.test(l))).toBe(false);
  });

  it("shows a Flux cluster its Kustomization's change", async () => {
    const lines = await diffLines("flux");
    expect(lines.map((l) => l.trim())).toContain("sourceRef:");
    expect(lines.filter((l) => /^[-+]/.test(l)).map((l) => l.replace(/^([-+])\s+/, "$1"))).toEqual(["-path: ./apps/v1", "+path: ./apps/v2"]);
  });
});
