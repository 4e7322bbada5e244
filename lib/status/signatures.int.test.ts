import { generateKey } from "openpgp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigurationStatus } from "@/db/schema-status";
import { podinfoFiles } from "@/test-support/git-fixtures";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";

// GitRepository verify (issue 18 §3) read back from the cluster: the Flux stand-in checks commit
// signatures as source-controller does (fluxcd/pkg/git's words), so an unsigned head, a head signed
// by a key not in the credential, and a properly signed head each show as source-controller
// reports them, and only the last one applies.
let fleet: FleetFixture;
let collector: typeof import("@/lib/observe/loop");
let db: typeof import("@/db/schema-status");

beforeAll(async () => {
  fleet = await startFleetFixture({ clusters: 1, name: "signed", resyncMs: 1000 });
  [collector, db] = await Promise.all([import("@/lib/observe/loop"), import("@/db/schema-status")]);
}, 180_000);

afterAll(async () => {
  await fleet?.stop();
});

function rowOf(configurationId: string): ConfigurationStatus | undefined {
  return fleet.temp.db.select().from(db.configurationStatus).all().find((r) => r.configurationId === configurationId);
}

async function sweepUntil(configurationId: string, predicate: (row: ConfigurationStatus) => boolean, timeoutMs = 40_000): Promise<ConfigurationStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await collector.runStatusSweep({ gitMaxAgeMs: 0 });
    const row = rowOf(configurationId);
    if (row && predicate(row)) return row;
    if (Date.now() > deadline) throw new Error(`timed out; last row: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe("signed commits", () => {
  it("an unsigned head and a stranger's signature are refused in source-controller's words; the release key's signature applies", async () => {
    const git = fleet.harness.git!;
    await git.createRepo("signed-repo", { files: { "README.md": "signed\n" } });
    await git.commit("signed-repo", podinfoFiles("signed release"), "podinfo");
    const [release, stranger] = await Promise.all(
      ["release@example.com", "stranger@example.com"].map((email) => generateKey({ type: "ecc", curve: "curve25519Legacy", userIDs: [{ email }], format: "armored" })),
    );
    const { createCredential } = await import("@/lib/credentials/store");
    const keys = await createCredential({ type: "pgp", name: "release-key", publicKeys: release!.publicKey }, { author: "admin" });
    if (keys.status !== "ok") throw new Error(JSON.stringify(keys));
    const saved = fleet.save({
      name: "signed",
      scope: "cluster",
      source: { kind: "GitRepository", url: git.url("signed-repo"), ref: { type: "branch", value: "main" }, interval: "1m", verify: { mode: "HEAD", credentialId: keys.credential.id } },
      kustomizations: [{ name: "apps", path: "./apps/podinfo", targetNamespace: "default" }],
      targets: { clusterIds: fleet.clusterIds },
    });
    const pushed = await fleet.push(saved.id, saved.version);
    expect(pushed.clusters.map((c) => c.state)).toEqual(["applied"]);

    const head = await git.head("signed-repo");
    const unsigned = await sweepUntil(saved.id, (r) => r.state === "Non-Compliant");
    expect(unsigned.reason).toBe("GitRepository/signed: InvalidCommitSignature");
    expect(unsigned.message).toContain(`signature verification of commit '${head}' failed: unable to verify Git commit: unable to verify payload as the provided signature is empty`);

    const strangers = await git.signHead("signed-repo", stranger!.privateKey);
    const wrongKey = await sweepUntil(saved.id, (r) => (r.message ?? "").includes(strangers));
    expect(wrongKey).toMatchObject({ state: "Non-Compliant", reason: "GitRepository/signed: InvalidCommitSignature" });
    expect(wrongKey.message).toContain("unable to verify payload with any of the given key rings");

    const signed = await git.signHead("signed-repo", release!.privateKey);
    const good = await sweepUntil(saved.id, (r) => r.state === "Compliant");
    expect(good.appliedRevision).toBe(`main@sha1:${signed}`);
  });
});
