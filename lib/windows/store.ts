import "server-only";
import crypto from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { DateTime } from "luxon";
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { getDb } from "@/db";
import { maintenanceWindows, WINDOW_KINDS, type MaintenanceWindow } from "@/db/schema-windows";
import { fieldErrors } from "@/lib/actions/result";
import { parseSelectorText } from "@/lib/compliance/selector-text";
import { invalidResult } from "@/lib/configurations/validate";
import { dnsLabelSchema } from "@/lib/validation/names";
import { isUniqueViolation } from "@/db/errors";

const MAX_DURATION_MINUTES = 7 * 24 * 60;
const MAX_RANGE_MS = 366 * 86_400_000;
const DATE_MESSAGE = "is not a date and time (YYYY-MM-DDTHH:MM)";
const DURATION_MESSAGE = `must be a whole number of minutes from 1 to ${MAX_DURATION_MINUTES} (a week)`;

function isDuration(value: string): boolean {
  const minutes = Number(value);
  return /^\d+$/.test(value) && minutes >= 1 && minutes <= MAX_DURATION_MINUTES;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A five-field cron expression (minute hour day month weekday), as Argo CD's sync windows take. */
function checkCron(text: string): string | undefined {
  if (text.split(/\s+/).length !== 5) return "must have five fields: minute hour day-of-month month day-of-week, e.g. 0 22 * * 5";
  try {
    CronExpressionParser.parse(text);
    return undefined;
  } catch (error) {
    return `is not a valid cron expression (${error instanceof Error ? error.message : "unreadable"})`;
  }
}

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
const optionalText = (max: number) => text(max).optional().transform((v) => v || undefined);

const windowInputSchema = z
  .object({
    name: dnsLabelSchema,
    kind: z.enum(WINDOW_KINDS, { error: "choose deny (a freeze) or allow" }),
    selector: text(4096).transform((value, ctx) => {
      const parsed = parseSelectorText(value);
      if (parsed.ok) return parsed.selector;
      ctx.addIssue({ code: "custom", message: parsed.message });
      return z.NEVER;
    }),
    schedule: z.enum(["recurring", "once"], { error: "choose recurring or once" }),
    // Malformed values are refused here, with the other fields; what a schedule requires, below.
    cron: optionalText(200).superRefine((value, ctx) => {
      const problem = value ? checkCron(value) : undefined;
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    durationMinutes: optionalText(10).refine((value) => value === undefined || isDuration(value), DURATION_MESSAGE),
    timeZone: text(100).default("UTC").refine((zone) => isTimeZone(zone || "UTC"), "is not a time zone known here (an IANA name such as Europe/Berlin, or UTC)"),
    startsAt: optionalText(40).refine((value) => value === undefined || DateTime.fromISO(value).isValid, DATE_MESSAGE),
    endsAt: optionalText(40).refine((value) => value === undefined || DateTime.fromISO(value).isValid, DATE_MESSAGE),
    reason: text(500).default(""),
  })
  // What the schedule requires, checked even when other fields failed, so one submit names them all.
  .superRefine(
    (input, ctx) => {
      if (input.schedule === "recurring") {
        if (!input.cron) ctx.addIssue({ code: "custom", path: ["cron"], message: "is required for a recurring window" });
        if (!input.durationMinutes) ctx.addIssue({ code: "custom", path: ["durationMinutes"], message: DURATION_MESSAGE });
      } else if (input.schedule === "once") {
        for (const field of ["startsAt", "endsAt"] as const) if (!input[field]) ctx.addIssue({ code: "custom", path: [field], message: "is required for a one-off window" });
      }
    },
    { when: () => true },
  )
  .transform((input, ctx) => {
    const zone = input.timeZone || "UTC";
    const base = { name: input.name, kind: input.kind, selector: input.selector, timeZone: zone, reason: input.reason };
    if (input.schedule === "recurring") {
      return { ...base, cron: input.cron ?? null, durationMinutes: Number(input.durationMinutes), startsAt: null, endsAt: null };
    }
    // datetime-local values ("2026-12-24T00:00") are read in the window's time zone.
    const read = (value: string | undefined, field: "startsAt" | "endsAt") => {
      const parsed = value ? DateTime.fromISO(value, { zone }) : null;
      if (value && !parsed?.isValid) ctx.addIssue({ code: "custom", path: [field], message: DATE_MESSAGE });
      return parsed?.isValid ? parsed.toJSDate() : null;
    };
    const startsAt = read(input.startsAt, "startsAt");
    const endsAt = read(input.endsAt, "endsAt");
    if (startsAt && endsAt) {
      if (endsAt <= startsAt) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after From" });
      else if (endsAt.getTime() - startsAt.getTime() > MAX_RANGE_MS) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be within a year of From" });
      else if (endsAt <= new Date()) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "is in the past: the window would never be open" });
    }
    return { ...base, cron: null, durationMinutes: null, startsAt, endsAt };
  });

export type WindowResult = { status: "ok"; window: MaintenanceWindow } | ReturnType<typeof invalidResult>;

/** Validates everything before writing; the unique index settles a name taken concurrently. */
export function createWindow(input: unknown, author: string): WindowResult {
  const parsed = windowInputSchema.safeParse(input);
  if (!parsed.success) return invalidResult(fieldErrors(parsed.error));
  try {
    const row = getDb()
      .insert(maintenanceWindows)
      .values({ id: crypto.randomUUID(), ...parsed.data, createdBy: author, createdAt: new Date() })
      .returning()
      .get();
    return { status: "ok", window: row };
  } catch (error) {
    if (isUniqueViolation(error, "maintenance_windows", "name")) return invalidResult({ name: "is already used by another window" });
    throw error;
  }
}

export function listWindows(): MaintenanceWindow[] {
  return getDb().select().from(maintenanceWindows).orderBy(asc(maintenanceWindows.name)).all();
}

export function findWindow(id: string): MaintenanceWindow | undefined {
  return getDb().select().from(maintenanceWindows).where(eq(maintenanceWindows.id, id)).get();
}

export function deleteWindow(id: string): MaintenanceWindow | undefined {
  return getDb().delete(maintenanceWindows).where(eq(maintenanceWindows.id, id)).returning().get();
}
