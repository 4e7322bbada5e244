import "server-only";
import crypto from "node:crypto";
import { and, asc, eq, isNotNull, isNull } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { assignments, type AssignmentEffect, type AssignmentRow } from "@/db/schema-compliance";
import { configurations, configurationVersions } from "@/db/schema-configurations";
import { fieldErrors } from "@/lib/actions/result";
import { invalidResult } from "@/lib/configurations/validate";
import { dnsLabelSchema } from "@/lib/validation/names";
import type { LabelSelector } from "@/lib/validation/label-selector";
import { parseSelectorText } from "./selector-text";
import { isUniqueViolation } from "@/db/errors";

/** What compliance is evaluated against: stored audit assignments plus one deploy assignment per pushed configuration. */
export type Assignment = {
  id: string;
  name: string;
  effect: AssignmentEffect;
  configurationId: string;
  configurationName: string;
  selector: LabelSelector | null;
  /** Clusters named explicitly (a configuration's own targets); always empty for audit assignments. */
  clusterIds: string[];
};

/**
 * Every assignment in force. A configuration counts from its first push, with the targets of
 * the version last pushed to its whole target set: a draft is not yet expected anywhere.
 */
export function listAssignments(): Assignment[] {
  const db = getDb();
  const deployed = db
    .select({ id: configurations.id, name: configurations.name, spec: configurationVersions.spec })
    .from(configurations)
    .innerJoin(configurationVersions, and(eq(configurationVersions.configurationId, configurations.id), eq(configurationVersions.version, configurations.pushedVersion)))
    .where(and(isNull(configurations.deletedAt), isNotNull(configurations.pushedVersion)))
    .orderBy(asc(configurations.name))
    .all()
    .map(
      (c): Assignment => ({
        // Derived, never stored: the prefix keeps it apart from stored (UUID) ids.
        id: `deploy:${c.id}`,
        name: c.name,
        effect: "deploy",
        configurationId: c.id,
        configurationName: c.name,
        selector: c.spec.targets.selector ?? null,
        clusterIds: c.spec.targets.clusterIds,
      }),
    );
  const audited = db
    .select({ id: assignments.id, name: assignments.name, configurationId: assignments.configurationId, configurationName: configurations.name, selector: assignments.selector })
    .from(assignments)
    .innerJoin(configurations, and(eq(configurations.id, assignments.configurationId), isNull(configurations.deletedAt)))
    .orderBy(asc(assignments.name))
    .all()
    .map((a): Assignment => ({ ...a, effect: "audit", clusterIds: [] }));
  return [...deployed, ...audited];
}

export type AssignmentListing = AssignmentRow & { configurationName: string; isConfigurationDeleted: boolean };

/** The stored assignments for the Assignments tab, including those whose configuration was deleted. */
export function listStoredAssignments(): AssignmentListing[] {
  return getDb()
    .select({ assignment: assignments, configurationName: configurations.name, deletedAt: configurations.deletedAt })
    .from(assignments)
    .innerJoin(configurations, eq(configurations.id, assignments.configurationId))
    .orderBy(asc(assignments.name))
    .all()
    .map((r) => ({ ...r.assignment, configurationName: r.configurationName, isConfigurationDeleted: r.deletedAt !== null }));
}

export function findAssignment(id: string): AssignmentRow | undefined {
  return getDb().select().from(assignments).where(eq(assignments.id, id)).get();
}

const assignmentInputSchema = z.object({
  name: dnsLabelSchema,
  configurationId: z.string({ error: "choose a configuration" }).trim().min(1, "choose a configuration").max(100),
  selector: z
    .string({ error: "is required" })
    .max(4096, "must be at most 4096 characters")
    .transform((text, ctx) => {
      const parsed = parseSelectorText(text);
      if (parsed.ok) return parsed.selector;
      ctx.addIssue({ code: "custom", message: parsed.message });
      return z.NEVER;
    }),
});

type Invalid = ReturnType<typeof invalidResult>;
export type AssignmentResult = { status: "ok"; assignment: AssignmentRow } | Invalid | { status: "not-found" };

function isLiveConfiguration(id: string): boolean {
  return getDb().select({ id: configurations.id }).from(configurations).where(and(eq(configurations.id, id), isNull(configurations.deletedAt))).get() !== undefined;
}

/** Validates everything before writing; the unique index settles a name taken concurrently. */
function save(input: unknown, write: (values: z.output<typeof assignmentInputSchema>) => AssignmentRow | undefined): AssignmentResult {
  const parsed = assignmentInputSchema.safeParse(input);
  if (!parsed.success) return invalidResult(fieldErrors(parsed.error));
  if (!isLiveConfiguration(parsed.data.configurationId)) return invalidResult({ configurationId: "no such configuration" });
  try {
    const row = write(parsed.data);
    return row ? { status: "ok", assignment: row } : { status: "not-found" };
  } catch (error) {
    if (isUniqueViolation(error, "assignments", "name")) return invalidResult({ name: "is already used by another assignment" });
    throw error;
  }
}

export function createAssignment(input: unknown, author: string): AssignmentResult {
  return save(input, (values) => {
    const now = new Date();
    return getDb()
      .insert(assignments)
      .values({ id: crypto.randomUUID(), ...values, effect: "audit", createdBy: author, createdAt: now, updatedBy: author, updatedAt: now })
      .returning()
      .get();
  });
}

export function updateAssignment(id: string, input: unknown, author: string): AssignmentResult {
  if (!findAssignment(id)) return { status: "not-found" };
  return save(input, (values) => getDb().update(assignments).set({ ...values, updatedBy: author, updatedAt: new Date() }).where(eq(assignments.id, id)).returning().get());
}

export function deleteAssignment(id: string): AssignmentRow | undefined {
  return getDb().delete(assignments).where(eq(assignments.id, id)).returning().get();
}
