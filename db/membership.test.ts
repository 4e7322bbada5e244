import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "./client";
import { membershipFile, openMembershipDatabase } from "./membership";
import { replicas } from "./schema-replicas";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-membership-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the membership side file of a SQLite database", () => {
  const file = path.join(dir, "fleetline.db");
  const main = openDatabase(file);
  migrateDatabase(main);
  const side = openMembershipDatabase(`file:${file}`);

  it("lies beside the database and holds the replicas table exactly as the migrations create it", () => {
    expect(fs.existsSync(membershipFile(file))).toBe(true);
    expect(side.$client.name).toBe(membershipFile(file));
    const shape = (db: typeof main) => ({
      columns: db.$client.prepare("pragma table_info(replicas)").all(),
      indexes: (db.$client.prepare("pragma index_list(replicas)").all() as { name: string }[]).map((index) => ({ ...index, columns: db.$client.prepare(`pragma index_info(${index.name})`).all() })),
    });
    expect(shape(side)).toEqual(shape(main));
  });

  it("is written while another connection holds the database's write lock", () => {
    main.$client.exec("BEGIN IMMEDIATE");
    try {
      const at = new Date();
      side.insert(replicas).values({ id: "r", host: "h", pid: 1, instance: "i", startedAt: at, heartbeatAt: at }).run();
      expect(side.select().from(replicas).all()).toEqual([{ id: "r", host: "h", pid: 1, instance: "i", startedAt: at, heartbeatAt: at }]);
    } finally {
      main.$client.exec("ROLLBACK");
    }
  });

  it("opens again on a file that has the table", () => {
    const again = openMembershipDatabase(file);
    expect(again.select().from(replicas).all()).toHaveLength(1);
    again.$client.close();
  });
});
