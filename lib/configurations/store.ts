import "server-only";
import crypto from "node:crypto";
import { and, asc, count, desc, eq, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { configurations, configurationTargets, configurationVersions, type Configuration } from "@/db/schema-configurations";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import { currentTargets, type ResolvedTarget } from "./targets";
import { checkChangeMessage, checkConfigurationSpec, invalidResult } from "./validate";
import { isUniqueViolation } from "@/db/errors";

export type ConfigurationSummary = Pick<
  Configuration,
  "id" | "name" | "namespace" | "currentVersion" | "pushedVersion" | "isSuspended" | "createdBy" | "createdAt" | "updatedAt"
> & { targetCount: number };

export type VersionInfo = { version: number; author: string; message: string; createdAt: Date };
export type VersionDetail = VersionInfo & { spec: ConfigurationSpec };
export type ConfigurationDetail = ConfigurationSummary & { spec: ConfigurationSpec; targets: ResolvedTarget[] };

export type Invalid = ReturnType<typeof invalidResult>;
export type SaveResult = { status: "ok"; configuration: ConfigurationSummary; version: number } | Invalid | { status: "not-found" };

export type Authorship = { author: string; message?: string };

const summaryColumns = {
  id: configurations.id,
  name: configurations.name,
  namespace: configurations.namespace,
  currentVersion: configurations.currentVersion,
  pushedVersion: configurations.pushedVersion,
  isSuspended: configurations.isSuspended,
  createdBy: configurations.createdBy,
  createdAt: configurations.createdAt,
  updatedAt: configurations.updatedAt,
};

function findLive(id: string): Configuration | undefined {
  return getDb().select().from(configurations).where(and(eq(configurations.id, id), isNull(configurations.deletedAt))).get();
}

function targetCount(id: string): number {
  return getDb().select({ n: count() }).from(configurationTargets).where(eq(configurationTargets.configurationId, id)).get()?.n ?? 0;
}

function summary(row: Configuration): ConfigurationSummary {
  return {
    id: row.id,
    name: row.name,
    namespace: row.namespace,
    currentVersion: row.currentVersion,
    pushedVersion: row.pushedVersion,
    isSuspended: row.isSuspended,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    targetCount: targetCount(row.id),
  };
}

/** Validates everything first; a configuration and its version 1 are then written in one transaction. */
export function createConfiguration(input: unknown, { author, message }: Authorship): SaveResult {
  const checked = checkConfigurationSpec(input);
  const messageProblem = checkChangeMessage(message);
  if (!checked.ok || messageProblem) return invalidResult({ ...(checked.ok ? {} : checked.fieldErrors), ...(messageProblem ? { message: messageProblem } : {}) });
  const { spec } = checked;
  const now = new Date();
  const id = crypto.randomUUID();
  try {
    const row = getDb().transaction((tx) => {
      const created = tx
        .insert(configurations)
        .values({ id, name: spec.name, namespace: spec.namespace, currentVersion: 1, isSuspended: spec.suspend, createdBy: author, createdAt: now, updatedAt: now })
        .returning()
        .get();
      tx.insert(configurationVersions).values({ configurationId: id, version: 1, spec, author, message: message ?? "", createdAt: now }).run();
      return created;
    });
    return { status: "ok", configuration: summary(row), version: 1 };
  } catch (error) {
    if (isUniqueViolation(error, "configurations", "name")) return invalidResult({ name: "is already used by another configuration" });
    throw error;
  }
}

/** A new immutable version; the name is fixed because every object on every cluster is named after it. */
export function updateConfiguration(id: string, input: unknown, { author, message }: Authorship): SaveResult {
  const existing = findLive(id);
  if (!existing) return { status: "not-found" };
  const checked = checkConfigurationSpec(input);
  const fieldErrors: Record<string, string> = checked.ok ? {} : { ...checked.fieldErrors };
  if (checked.ok && checked.spec.name !== existing.name) {
    fieldErrors.name = "cannot be changed: the objects on the clusters are named after it (create a new configuration instead)";
  }
  const messageProblem = checkChangeMessage(message);
  if (messageProblem) fieldErrors.message = messageProblem;
  if (!checked.ok || Object.keys(fieldErrors).length > 0) return invalidResult(fieldErrors);
  const { spec } = checked;
  const now = new Date();
  const row = getDb().transaction((tx) => {
    // Read inside the transaction: two saves at once get consecutive versions, never the same one.
    const current = tx.select({ version: configurations.currentVersion }).from(configurations).where(eq(configurations.id, id)).get();
    const version = (current?.version ?? existing.currentVersion) + 1;
    tx.insert(configurationVersions).values({ configurationId: id, version, spec, author, message: message ?? "", createdAt: now }).run();
    return tx
      .update(configurations)
      .set({ currentVersion: version, namespace: spec.namespace, isSuspended: spec.suspend, updatedAt: now })
      .where(eq(configurations.id, id))
      .returning()
      .get();
  });
  return { status: "ok", configuration: summary(row), version: row.currentVersion };
}

export function getVersion(configurationId: string, version: number): VersionDetail | undefined {
  return getDb()
    .select({
      version: configurationVersions.version,
      spec: configurationVersions.spec,
      author: configurationVersions.author,
      message: configurationVersions.message,
      createdAt: configurationVersions.createdAt,
    })
    .from(configurationVersions)
    .where(and(eq(configurationVersions.configurationId, configurationId), eq(configurationVersions.version, version)))
    .get();
}

export function getConfiguration(id: string): ConfigurationDetail | undefined {
  const row = findLive(id);
  const version = row && getVersion(id, row.currentVersion);
  if (!row || !version) return undefined;
  return { ...summary(row), spec: version.spec, targets: currentTargets(id) };
}

export function findConfigurationByName(name: string): ConfigurationSummary | undefined {
  const row = getDb().select().from(configurations).where(and(eq(configurations.name, name), isNull(configurations.deletedAt))).get();
  return row ? summary(row) : undefined;
}

export function listConfigurations(): ConfigurationSummary[] {
  return getDb()
    .select({ ...summaryColumns, targetCount: count(configurationTargets.clusterId) })
    .from(configurations)
    .leftJoin(configurationTargets, eq(configurationTargets.configurationId, configurations.id))
    .where(isNull(configurations.deletedAt))
    .groupBy(configurations.id)
    .orderBy(asc(configurations.name))
    .all();
}

/** Newest first. */
export function listVersions(configurationId: string): VersionInfo[] {
  return getDb()
    .select({ version: configurationVersions.version, author: configurationVersions.author, message: configurationVersions.message, createdAt: configurationVersions.createdAt })
    .from(configurationVersions)
    .where(eq(configurationVersions.configurationId, configurationId))
    .orderBy(desc(configurationVersions.version))
    .all();
}
