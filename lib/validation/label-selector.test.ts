import { describe, expect, it } from "vitest";
import { isEmptySelector, labelSelectorSchema, matchesSelector, type LabelSelector } from "./label-selector";

const prodEu = { env: "prod", region: "eu", "fleetline.io/tier": "gold" };

describe("matchesSelector", () => {
  it("matches matchLabels exactly", () => {
    expect(matchesSelector(prodEu, { matchLabels: { env: "prod" } })).toBe(true);
    expect(matchesSelector(prodEu, { matchLabels: { env: "prod", region: "us" } })).toBe(false);
    expect(matchesSelector(prodEu, { matchLabels: { team: "a" } })).toBe(false);
  });

  it.each<[LabelSelector, boolean]>([
    [{ matchExpressions: [{ key: "env", operator: "In", values: ["prod", "staging"] }] }, true],
    [{ matchExpressions: [{ key: "env", operator: "In", values: ["dev"] }] }, false],
    [{ matchExpressions: [{ key: "missing", operator: "In", values: ["x"] }] }, false],
    [{ matchExpressions: [{ key: "env", operator: "NotIn", values: ["dev"] }] }, true],
    [{ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, false],
    // Kubernetes semantics: an absent key satisfies NotIn.
    [{ matchExpressions: [{ key: "missing", operator: "NotIn", values: ["x"] }] }, true],
    [{ matchExpressions: [{ key: "fleetline.io/tier", operator: "Exists" }] }, true],
    [{ matchExpressions: [{ key: "missing", operator: "Exists" }] }, false],
    [{ matchExpressions: [{ key: "missing", operator: "DoesNotExist" }] }, true],
    [{ matchExpressions: [{ key: "env", operator: "DoesNotExist" }] }, false],
  ])("evaluates %j as %s", (selector, expected) => {
    expect(matchesSelector(prodEu, selector)).toBe(expected);
  });

  it("requires every requirement (AND) and treats an empty selector as match-all", () => {
    const selector: LabelSelector = {
      matchLabels: { region: "eu" },
      matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }, { key: "legacy", operator: "DoesNotExist" }],
    };
    expect(matchesSelector(prodEu, selector)).toBe(true);
    expect(matchesSelector({ ...prodEu, legacy: "true" }, selector)).toBe(false);
    expect(matchesSelector({}, {})).toBe(true);
    expect(isEmptySelector({})).toBe(true);
    expect(isEmptySelector({ matchLabels: {}, matchExpressions: [] })).toBe(true);
  });

  it("does not read inherited properties as labels", () => {
    expect(matchesSelector({}, { matchExpressions: [{ key: "constructor", operator: "Exists" }] })).toBe(false);
  });
});

describe("labelSelectorSchema", () => {
  it("accepts a valid selector", () => {
    expect(
      labelSelectorSchema.safeParse({ matchLabels: { env: "prod" }, matchExpressions: [{ key: "region", operator: "Exists" }] }).success,
    ).toBe(true);
  });

  it.each([
    [{ matchExpressions: [{ key: "env", operator: "In" }] }, "matchExpressions.0.values", "must have at least one value for operator In"],
    [{ matchExpressions: [{ key: "env", operator: "NotIn", values: [] }] }, "matchExpressions.0.values", "must have at least one value for operator NotIn"],
    [{ matchExpressions: [{ key: "env", operator: "Exists", values: ["x"] }] }, "matchExpressions.0.values", "must be empty for operator Exists"],
    [{ matchExpressions: [{ key: "env", operator: "Gt", values: ["1"] }] }, "matchExpressions.0.operator", "must be one of In, NotIn, Exists, DoesNotExist"],
    [{ matchExpressions: [{ key: "Bad Key", operator: "Exists" }] }, "matchExpressions.0.key", "may contain only letters, digits, '-', '_' and '.' (label key name)"],
    [{ matchExpressions: [{ key: "env", operator: "In", values: ["not valid"] }] }, "matchExpressions.0.values.0", "may contain only letters, digits, '-', '_' and '.' (label value)"],
  ])("rejects %j at %s", (selector, path, message) => {
    const issues = labelSelectorSchema.safeParse(selector).error?.issues ?? [];
    expect(issues.map((issue) => [issue.path.join("."), issue.message])).toContainEqual([path, message]);
  });
});
