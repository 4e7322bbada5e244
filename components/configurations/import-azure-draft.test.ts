import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importFromAzure } from "@/lib/import/azure";
import { emptyDraft } from "./draft";
import { draftFromImport } from "./import-azure-draft";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "..", "..", "lib", "import", "fixtures", "azure", name), "utf8");

function configurations(text: string) {
  const result = importFromAzure(text);
  if (!result.ok) throw new Error(result.error);
  return result.configurations;
}

describe("draftFromImport: the wizard's own checks over what Azure held", () => {
  const current = { ...emptyDraft(), targets: { clusterIds: ["c1"], matchLabels: "", expressions: [] } };

  it.each([
    ["flux-show.json", 0, {}],
    ["private-git.json", 0, {}],
    ["private-git.json", 1, {}],
    ["source-control-v1.json", 0, {}],
    ["arm-export.json", 0, {}],
    // The name was an ARM expression, so the wizard asks for one.
    ["arm-export.json", 1, { name: expect.stringMatching(/required|empty/i) }],
  ])("%s #%i", (file, index, errors) => {
    const imported = configurations(fixture(file))[index]!;
    const result = draftFromImport(imported, current);
    expect(result.errors).toEqual(errors);
    expect(result.draft.targets.clusterIds).toEqual(["c1"]);
    expect(result.draft.name).toBe(imported.draft.name);
    expect(result.draft.kustomizations.map((k) => k.name)).toEqual(imported.draft.kustomizations.map((k) => k.name));
  });

  it("names the fields Fleetline refuses, by their wizard paths", () => {
    const [imported] = configurations(
      JSON.stringify({
        name: "Bad.Name",
        type: "Microsoft.KubernetesConfiguration/fluxConfigurations",
        gitRepository: { url: "https://github.com/a/b", repositoryRef: { branch: "main" }, syncIntervalInSeconds: 5 },
        kustomizations: { app: { dependsOn: ["missing"] } },
      }),
    );
    const { errors } = draftFromImport(imported!, current);
    expect(Object.keys(errors).sort()).toEqual(["kustomizations.0.dependsOn.0", "name", "source.interval"]);
    expect(errors["source.interval"]).toMatch(/at least 10s/);
  });
});
