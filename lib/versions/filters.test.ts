import { describe, expect, it } from "vitest";
import { labelSelectorOf, parseVersionsFilter, versionsParams } from "./filters";

describe("versions filters", () => {
  it("reads the URL, dropping what is not valid", () => {
    const f = parseVersionsFilter({ cluster: " prod ", kind: "charts", only: "nonsense", group: "not a key!", cols: "-3", labels: "env=prod" });
    expect(f).toMatchObject({ cluster: "prod", kind: "charts", only: undefined, group: undefined, cols: 1, labels: "env=prod" });
    expect(parseVersionsFilter({ kind: ["images", "charts"], group: "topology.kubernetes.io/region" })).toMatchObject({ kind: "images", group: "topology.kubernetes.io/region" });
  });
  it("writes the filter back without defaults", () => {
    expect(versionsParams(parseVersionsFilter({}))).toBe("");
    expect(versionsParams(parseVersionsFilter({ only: "behind", image: "podinfo", cols: "2" }), { format: "csv" })).toBe("image=podinfo&only=behind&cols=2&format=csv");
  });
  it("parses the label selector and names what does not parse", () => {
    expect(labelSelectorOf({ labels: "env=prod, region in (eu,us)" }).selector).toEqual({ matchLabels: { env: "prod" }, matchExpressions: [{ key: "region", operator: "In", values: ["eu", "us"] }] });
    expect(labelSelectorOf({ labels: "===" }).error).toBeTruthy();
    expect(labelSelectorOf({})).toEqual({});
  });
});
