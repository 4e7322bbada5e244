import { describe, expect, it } from "vitest";
import { csvHeader, csvLine, exportFileName, jsonElement, jsonRecord, type ExportRow } from "./export-format";

const row: ExportRow = {
  cluster: "prod-1",
  labels: { env: "prod", region: "eu-west" },
  configuration: "baseline",
  assignment: "baseline-prod",
  effect: "audit",
  state: "Non-Compliant",
  reason: "Kustomization/baseline-infra: BuildFailed",
  message: 'kustomization path not found: "./nope"',
  since: new Date("2030-01-02T03:04:05.000Z"),
  observedAt: new Date("2030-01-03T00:00:00.000Z"),
  configDrift: true,
  revisionDrift: false,
  resourceDrift: false,
  behindBy: 3,
};

describe("export formatting", () => {
  it("writes one CSV line per cell under a fixed header, quoting what needs it", () => {
    expect(csvHeader()).toBe("cluster,labels,configuration,assignment,effect,state,reason,message,since,observed_at,config_drift,revision_drift,resource_drift,behind_by\r\n");
    expect(csvLine(row)).toBe(
      'prod-1,"env=prod, region=eu-west",baseline,baseline-prod,audit,Non-Compliant,Kustomization/baseline-infra: BuildFailed,"kustomization path not found: ""./nope""",2030-01-02T03:04:05.000Z,2030-01-03T00:00:00.000Z,true,false,false,3\r\n',
    );
    expect(csvLine({ ...row, assignment: null, effect: null, reason: "not applied", message: null, since: null, behindBy: null })).toBe(
      'prod-1,"env=prod, region=eu-west",baseline,,,Non-Compliant,not applied,,,2030-01-03T00:00:00.000Z,true,false,false,\r\n',
    );
  });

  it("defuses spreadsheet formulas coming from cluster names, labels or controller messages", () => {
    const line = csvLine({ ...row, cluster: "=HYPERLINK(\"http://x\")", message: "@SUM(A1)", labels: { a: "-1" } });
    expect(line.startsWith(`"'=HYPERLINK(""http://x"")",`)).toBe(true);
    expect(line).toContain(",'@SUM(A1),");
    expect(line).toContain(",a=-1,");
  });

  it("writes JSON with the CSV's fields and their types, as one valid array", () => {
    expect(jsonRecord(row)).toMatchObject({ labels: { env: "prod", region: "eu-west" }, config_drift: true, behind_by: 3, since: "2030-01-02T03:04:05.000Z" });
    const text = `[\n${jsonElement(row, true)}${jsonElement({ ...row, cluster: "prod-2" }, false)}\n]\n`;
    expect((JSON.parse(text) as { cluster: string }[]).map((r) => r.cluster)).toEqual(["prod-1", "prod-2"]);
    expect(exportFileName("json", new Date("2030-01-02T03:04:05.678Z"))).toBe("fleetline-compliance-2030-01-02T03-04-05-678Z.json");
  });
});
