import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { is } from "drizzle-orm";
import { getTableConfig as pgTableConfig } from "drizzle-orm/pg-core";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as compliance from "../schema-compliance";
import * as configurations from "../schema-configurations";
import * as notifications from "../schema-notifications";
import * as policy from "../schema-policy";
import * as replicas from "../schema-replicas";
import * as core from "../schema";
import * as status from "../schema-status";
import * as versions from "../schema-versions";
import * as windows from "../schema-windows";
import * as pg from "./schema";

const sqliteTables = [core, configurations, compliance, notifications, policy, replicas, status, versions, windows]
  .flatMap((module) => Object.values(module))
  .filter((value): value is SQLiteTable => is(value, SQLiteTable));

describe("PostgreSQL's tables", () => {
  it("are every SQLite table, with the same columns, keys and indexes", () => {
    const converted = new Map(Object.values(pg).filter((v) => typeof v === "object" && v !== null && "getSQL" in v).map((t) => [pgTableConfig(t as never).name, pgTableConfig(t as never)]));
    expect([...converted.keys()].sort()).toEqual([...new Set(sqliteTables.map((t) => getTableConfig(t).name))].sort());
    for (const table of sqliteTables) {
      const lite = getTableConfig(table);
      const twin = converted.get(lite.name)!;
      expect(twin.columns.map((c) => [c.name, c.notNull, c.primary]), lite.name).toEqual(lite.columns.map((c) => [c.name, c.notNull, c.primary]));
      expect(twin.indexes.map((i) => i.config.name).sort(), lite.name).toEqual(lite.indexes.map((i) => i.config.name).sort());
      expect(twin.foreignKeys.length + twin.primaryKeys.length, lite.name).toBe(lite.foreignKeys.length + lite.primaryKeys.length);
    }
  });

  it("have their migrations committed: drizzle-kit finds nothing to generate", () => {
    // Generate against a copy of db/migrations-pg, so a stale tree fails here without writing to it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-pg-migrations-"));
    try {
      fs.cpSync(path.join(process.cwd(), "db", "migrations-pg"), path.join(dir, "migrations-pg"), { recursive: true });
      const config = path.join(process.cwd(), `drizzle.pg.check.${process.pid}.config.ts`);
      fs.writeFileSync(config, `import { defineConfig } from "drizzle-kit";\nexport default defineConfig({ dialect: "postgresql", schema: "./db/pg/schema.ts", out: ${JSON.stringify(path.relative(process.cwd(), path.join(dir, "migrations-pg")))} });\n`);
      try {
        const run = spawnSync(path.join(process.cwd(), "node_modules", ".bin", "drizzle-kit"), ["generate", "--config", config], { encoding: "utf8" });
        expect(run.stdout + run.stderr).toContain("No schema changes");
        expect(fs.readdirSync(path.join(dir, "migrations-pg")).filter((f) => f.endsWith(".sql"))).toEqual(fs.readdirSync(path.join(process.cwd(), "db", "migrations-pg")).filter((f) => f.endsWith(".sql")));
      } finally {
        fs.rmSync(config, { force: true });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
