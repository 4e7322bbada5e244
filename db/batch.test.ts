import { beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";
import type { Db } from "./client";

let db: Db;
let batchedWrite: typeof import("./batch").batchedWrite;

beforeAll(async () => {
  db = (await useTempDatabase()).db;
  ({ batchedWrite } = await import("./batch"));
  db.$client.exec("create table batch_items (id integer primary key, name text not null)");
});

const insert = (id: number, name: string) => () => db.$client.prepare("insert into batch_items (id, name) values (?, ?)").run(id, name);
const names = () => (db.$client.prepare("select name from batch_items order by id").all() as { name: string }[]).map((r) => r.name);

describe("batchedWrite", () => {
  it("writes made within one window run in one transaction, and are stored once it commits", async () => {
    const seen: boolean[] = [];
    const writes = [1, 2, 3].map((id) =>
      batchedWrite(db, () => {
        seen.push(db.$client.inTransaction);
        insert(id, `item-${id}`)();
        // Each write sees the ones before it in the batch.
        return (db.$client.prepare("select count(*) as n from batch_items").get() as { n: number }).n;
      }),
    );
    // Nothing is written until the window closes.
    expect(names()).toEqual([]);
    expect(await Promise.all(writes)).toEqual([1, 2, 3]);
    expect(seen).toEqual([true, true, true]);
    expect(db.$client.inTransaction).toBe(false);
    expect(names()).toEqual(["item-1", "item-2", "item-3"]);
  });

  it("a write that throws is undone alone and its caller gets the error; the others commit", async () => {
    const good = batchedWrite(db, insert(10, "kept"));
    const bad = batchedWrite(db, () => {
      insert(11, "undone")();
      throw new Error("the write failed half-way");
    });
    const duplicate = batchedWrite(db, insert(10, "a second row with a taken key"));
    const after = batchedWrite(db, insert(12, "also kept"));
    await expect(bad).rejects.toThrow("the write failed half-way");
    await expect(duplicate).rejects.toThrow();
    await Promise.all([good, after]);
    expect(names()).toEqual(["item-1", "item-2", "item-3", "kept", "also kept"]);
  });

  it("writes after a flush start the next batch", async () => {
    await batchedWrite(db, insert(20, "first"));
    await batchedWrite(db, insert(21, "second"));
    expect(names().slice(-2)).toEqual(["first", "second"]);
  });

  it("a batch longer than one turn commits in parts, the event loop free between them, and a later batch after it", async () => {
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const done: number[] = [];
    let turnAfter: number | undefined;
    let later: Promise<unknown> | undefined;
    const writes = Array.from({ length: 40 }, (_, i) =>
      batchedWrite(db, () => {
        if (i === 0)
          setImmediate(() => {
            turnAfter = done.length;
            later = batchedWrite(db, () => done.push(-1));
          });
        busy(5);
        insert(100 + i, `long-${i}`)();
        done.push(i);
      }),
    );
    await Promise.all(writes);
    await later;
    // Other work had a turn before the batch's last write: 200 ms of writes did not hold the event loop whole.
    expect(turnAfter).toBeLessThan(40);
    expect(names().filter((name) => name.startsWith("long-"))).toHaveLength(40);
    // A batch that formed meanwhile was written after every write of the one before it.
    expect(done.indexOf(-1)).toBe(40);
  });
});
