import { getHeapStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { collectGarbage } from "@/test-support/gc";
import { internStrings } from "./intern";

// Each object parsed from its own document, as the watch cache receives one per cluster.
const REVISION = `main@sha1:${"4e".repeat(20)}`;
const MESSAGE = `Applied revision: ${REVISION} ${"x".repeat(120)}`;
const parsed = () => JSON.parse(JSON.stringify({ status: { lastAppliedRevision: REVISION, conditions: [{ type: "Ready", message: MESSAGE }] } })) as unknown;

async function heapHeldBy(make: () => unknown[]): Promise<number> {
  await collectGarbage();
  const before = getHeapStatistics().used_heap_size;
  const held = make();
  await collectGarbage();
  const grown = getHeapStatistics().used_heap_size - before;
  expect(held).toHaveLength(10_000);
  return grown;
}

describe("internStrings", () => {
  it("keeps every value and the shape, and leaves frozen objects alone", () => {
    const shared = Object.freeze({ "f:spec": Object.freeze({}) });
    const object = { a: REVISION, list: [REVISION, 1, null, { deep: [MESSAGE] }], fieldsV1: shared, n: 2, t: true };
    const copy = structuredClone(object);
    expect(internStrings(object)).toBe(object);
    expect(object).toEqual(copy);
    expect(object.fieldsV1).toBe(shared);
  });

  it("takes an object nested as deep as a cluster may send one (JSON.parse builds any depth)", () => {
    const depth = 100_000;
    const deep = JSON.parse(`${'{"a":['.repeat(depth)}"${REVISION}"${"]}".repeat(depth)}`) as unknown;
    expect(internStrings(deep)).toBe(deep);
    let innermost = deep as { a: unknown[] };
    for (let i = 1; i < depth; i++) innermost = innermost.a[0] as { a: unknown[] };
    expect(innermost.a).toEqual([REVISION]);
  });

  it("holds one copy of each string however many parsed objects carry it", async () => {
    const raw = await heapHeldBy(() => Array.from({ length: 10_000 }, parsed));
    const interned = await heapHeldBy(() => Array.from({ length: 10_000 }, () => internStrings(parsed())));
    // 10,000 copies of two strings (about 250 bytes together) weigh 2.5 MB more than the objects alone.
    expect(raw - interned).toBeGreaterThan(2_000_000);
  });
});
