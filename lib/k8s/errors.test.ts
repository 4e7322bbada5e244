import { describe, expect, it } from "vitest";
import { ClusterError, classifyError, errorFromResponse, kindForStatus, parseConflicts, parseRetryAfter } from "./errors";

describe("kindForStatus", () => {
  it.each([
    [400, "invalid"],
    [401, "unauthorized"],
    [403, "forbidden"],
    [404, "not-found"],
    [409, "conflict"],
    [410, "gone"],
    [422, "invalid"],
    [429, "too-many-requests"],
    [500, "server"],
    [503, "server"],
    [504, "timeout"],
    [302, "server"],
  ])("%i -> %s", (status, kind) => expect(kindForStatus(status)).toBe(kind));
});

// As kube-apiserver sends it for `kubectl apply --server-side` against another manager's field.
const twoManagerConflict = {
  kind: "Status",
  apiVersion: "v1",
  status: "Failure",
  reason: "Conflict",
  code: 409,
  message: 'Apply failed with 3 conflicts: conflicts with "first":\n- .data.a\n- .data.b\nconflicts with "kubectl-edit" using v1:\n- .spec.x',
  details: {
    name: "demo",
    kind: "configmaps",
    causes: [
      { reason: "FieldManagerConflict", message: 'conflict with "first"', field: ".data.a" },
      { reason: "FieldManagerConflict", message: 'conflict with "first"', field: ".data.b" },
      { reason: "FieldManagerConflict", message: 'conflict with "kubectl-edit" using v1', field: ".spec.x" },
    ],
  },
};

describe("parseConflicts", () => {
  const expected = [
    { manager: "first", field: ".data.a" },
    { manager: "first", field: ".data.b" },
    { manager: "kubectl-edit", field: ".spec.x" },
  ];

  it("reads managers and fields from details.causes", () => {
    expect(parseConflicts(twoManagerConflict)).toEqual(expected);
  });

  it("falls back to the message when there are no causes", () => {
    expect(parseConflicts({ ...twoManagerConflict, details: {} })).toEqual(expected);
  });

  it("reads the single-conflict message form, whose manager suffix contains colons", () => {
    const message = 'Apply failed with 1 conflict: conflict with "helm \\"x\\"" using apps/v1 at 2024-05-01T10:00:00Z: .spec.replicas';
    expect(parseConflicts({ kind: "Status", message })).toEqual([{ manager: 'helm "x"', field: ".spec.replicas" }]);
  });

  it("is empty for conflicts that are not about field managers", () => {
    const alreadyExists = { kind: "Status", reason: "AlreadyExists", message: 'configmaps "demo" already exists', code: 409 };
    expect(parseConflicts(alreadyExists)).toEqual([]);
    expect(parseConflicts("not a status")).toEqual([]);
  });
});

describe("errorFromResponse", () => {
  it("carries status, reason, message and conflicts", () => {
    const error = errorFromResponse(409, twoManagerConflict);
    expect(error).toBeInstanceOf(ClusterError);
    expect(error).toMatchObject({ kind: "conflict", status: 409, reason: "Conflict" });
    expect(error.message).toMatch(/^409 Conflict: Apply failed with 3 conflicts/);
    expect(error.conflicts).toHaveLength(3);
  });

  it("does not repeat the server's text for 401 and cuts long messages", () => {
    expect(errorFromResponse(401, { kind: "Status", message: "Unauthorized" }).message).toBe("401 Unauthorized: token or client certificate rejected");
    expect(errorFromResponse(500, { kind: "Status", message: "x".repeat(5000) }).message.length).toBeLessThan(600);
    expect(errorFromResponse(502, "<html>").message).toBe("502 Bad Gateway");
    expect(errorFromResponse(302, "").message).toBe("302 HTTP error: redirect not followed");
  });

  it("parses Retry-After", () => {
    expect(errorFromResponse(429, {}, "3").retryAfterMs).toBe(3000);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("0")).toBe(0);
    expect(parseRetryAfter("120")).toBe(120_000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 00:00:05 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("classifyError", () => {
  it("passes ClusterError through and hides anything else", () => {
    expect(classifyError(new ClusterError("timeout", "timed out after 5s"))).toEqual({ kind: "timeout", message: "timed out after 5s" });
    const leaky = new Error("request to https://admin:hunter2@host failed");
    expect(classifyError(leaky).message).not.toContain("hunter2");
  });
});
