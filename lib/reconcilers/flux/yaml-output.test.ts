import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "./types";
import { maskSecrets, SECRET_MASK, toYaml } from "./yaml-output";

const configMap = (data: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "default" },
  spec: { data },
});

describe("toYaml", () => {
  it("writes keys in a stable order whatever order the object was built in", () => {
    const shuffled: KubeObject = {
      spec: { zeta: 1, alpha: { b: 2, a: 1 } },
      metadata: { annotations: { z: "1" }, labels: { b: "2", a: "1" }, namespace: "ns", name: "x" },
      kind: "Thing",
      apiVersion: "example.com/v1",
    };
    expect(toYaml([shuffled])).toBe(
      [
        "apiVersion: example.com/v1",
        "kind: Thing",
        "metadata:",
        "  name: x",
        "  namespace: ns",
        "  labels:",
        "    a: \"1\"",
        "    b: \"2\"",
        "  annotations:",
        "    z: \"1\"",
        "spec:",
        "  alpha:",
        "    a: 1",
        "    b: 2",
        "  zeta: 1",
        "",
      ].join("\n"),
    );
  });

  it("separates objects as YAML documents and round-trips", () => {
    const objects = [configMap({ a: "1" }), configMap({ b: "2" })];
    const text = toYaml(objects);
    expect(text.split("\n").filter((line) => line === "---")).toHaveLength(1);
    expect(parseAllDocuments(text).map((doc) => doc.toJS())).toEqual(objects);
    expect(toYaml([])).toBe("");
  });

  it("quotes strings a YAML 1.1 reader such as kubectl would not read as strings", () => {
    const text = toYaml([configMap({ a: "yes", b: "off", c: "0755", d: "1:20", e: "2024-01-02", f: "y", on: "plain", g: "10m" })]);
    for (const line of ['a: "yes"', 'b: "off"', 'c: "0755"', 'd: "1:20"', 'e: "2024-01-02"', 'f: "y"', '"on": plain', "g: 10m"]) {
      expect(text).toContain(line);
    }
  });

  it("keeps multi-line strings readable and does not fold long lines", () => {
    const long = "x".repeat(300);
    const text = toYaml([configMap({ cert: "line1\nline2\n", long })]);
    expect(text).toContain("cert: |\n      line1\n      line2\n");
    expect(text).toContain(`long: ${long}\n`);
  });
});

describe("maskSecrets", () => {
  const liveSecret: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: "creds",
      annotations: {
        "kubectl.kubernetes.io/last-applied-configuration": '{"stringData":{"password":"hunter2"}}',
        note: "kept",
      },
    },
    type: "Opaque",
    data: { password: "aHVudGVyMg==" },
    stringData: { token: "hunter2-token" },
  };

  it("masks data, stringData and kubectl's last-applied copy, keeping the keys", () => {
    const [masked] = maskSecrets([liveSecret]);
    expect(masked?.data).toEqual({ password: SECRET_MASK });
    expect(masked?.stringData).toEqual({ token: SECRET_MASK });
    expect(masked?.metadata.annotations).toEqual({ "kubectl.kubernetes.io/last-applied-configuration": SECRET_MASK, note: "kept" });
    expect(toYaml(maskSecrets([liveSecret]))).not.toMatch(/hunter2|aHVudGVyMg/);
  });

  it("returns copies and leaves other kinds untouched", () => {
    const objects = [liveSecret, configMap({ password: "not-a-secret-kind" })];
    const masked = maskSecrets(objects);
    expect(liveSecret.data).toEqual({ password: "aHVudGVyMg==" });
    expect(masked[1]).toEqual(objects[1]);
    expect(masked[1]).not.toBe(objects[1]);
  });
});
