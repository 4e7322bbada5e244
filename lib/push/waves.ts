// Pure: a rollout strategy's waves, which targets each wave takes, and the state of a rollout's
// waves as the coordinator (run.ts) keeps it in the database. A version without a strategy is
// one wave of every target, 16 at a time, with no gate.
import { z } from "zod";
import { parseSelectorText } from "@/lib/compliance/selector-text";
import { labelSelectorSchema, matchesSelector, type LabelSelector } from "@/lib/validation/label-selector";
import { dnsLabelSchema } from "@/lib/validation/names";

export const MAX_WAVES = 10;
export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_SOAK_SECONDS = 120;
export const WAVE_APPROVALS = ["auto", "operator", "second-person"] as const;

const waveSchema = z
  .object({
    name: dnsLabelSchema,
    // Which of the remaining targets the wave takes: those the selector matches (all, without
    // one), and of those a share (percent) or all of them.
    // Written as kubectl takes it ("env=prod, tier in (web,api)") or as a selector object.
    selector: z
      .union([z.string().max(2000, "must be at most 2000 characters"), labelSelectorSchema], { error: "must be a label selector such as env=prod" })
      .transform((value, ctx) => {
        if (typeof value !== "string") return value;
        if (value.trim() === "") return undefined;
        const parsed = parseSelectorText(value);
        if (parsed.ok) return parsed.selector;
        ctx.addIssue({ code: "custom", message: parsed.message });
        return z.NEVER;
      })
      .optional(),
    percent: z.number({ error: "must be a whole percentage from 1 to 100" }).int("must be a whole percentage from 1 to 100").min(1, "must be a whole percentage from 1 to 100").max(100, "must be a whole percentage from 1 to 100").optional(),
    concurrency: z.number({ error: "must be from 1 to 256" }).int("must be from 1 to 256").min(1, "must be from 1 to 256").max(256, "must be from 1 to 256").default(DEFAULT_CONCURRENCY),
    // The gate: every cluster of the wave Compliant on the new version, staying so this long.
    soakSeconds: z.number({ error: "must be from 0 to 86400 seconds (a day)" }).int("must be from 0 to 86400 seconds (a day)").min(0, "must be from 0 to 86400 seconds (a day)").max(86_400, "must be from 0 to 86400 seconds (a day)").default(DEFAULT_SOAK_SECONDS),
    // Failures the gate tolerates: at most this many clusters, or this share of the wave.
    maxFailures: z.number({ error: "must be 0 or more" }).int("must be 0 or more").min(0, "must be 0 or more").default(0),
    maxFailurePercent: z.number({ error: "must be from 0 to 100" }).int("must be from 0 to 100").min(0, "must be from 0 to 100").max(100, "must be from 0 to 100").optional(),
    // After the gate: go on, or wait for an operator (a second person: not the one who pushed).
    approval: z.enum(WAVE_APPROVALS, { error: "must be auto, operator or second-person" }).default("auto"),
  });

export const strategySchema = z
  .object({ waves: z.array(waveSchema).min(1, "needs at least one wave").max(MAX_WAVES, `must have at most ${MAX_WAVES} waves`) })
  .superRefine((strategy, ctx) => {
    const seen = new Set<string>();
    // Checked even when a wave has other errors, so one submit names them all.
    (Array.isArray(strategy.waves) ? strategy.waves : []).forEach((wave, index) => {
      if (seen.has(wave.name)) ctx.addIssue({ code: "custom", path: ["waves", index, "name"], message: "is already the name of an earlier wave" });
      seen.add(wave.name);
    });
  }, { when: () => true });

export type Strategy = z.infer<typeof strategySchema>;
export type Wave = Strategy["waves"][number];
export type PlanTarget = { clusterId: string; name: string; labels: Record<string, string> };
export type PlannedWave = { index: number; name: string; clusterIds: string[]; implicit: boolean };

const takes = (wave: { selector?: LabelSelector }, target: PlanTarget) => !wave.selector || matchesSelector(target.labels, wave.selector);

/**
 * Each target in exactly one wave, in order: a wave takes the remaining targets its selector
 * matches, a share of them (rounded up, at least one when any match) in cluster-name order so the
 * plan is the same every time. Targets no wave takes go to a last wave, "rest": a strategy that
 * forgets some clusters must not leave them on the old version without saying so.
 */
export function planWaves(strategy: Pick<Strategy, "waves">, targets: readonly PlanTarget[]): PlannedWave[] {
  let remaining = [...targets].sort((a, b) => a.name.localeCompare(b.name));
  const planned: PlannedWave[] = strategy.waves.map((wave, index) => {
    const matching = remaining.filter((t) => takes(wave, t));
    const count = wave.percent === undefined ? matching.length : Math.min(matching.length, Math.ceil((matching.length * wave.percent) / 100));
    const taken = new Set(matching.slice(0, count).map((t) => t.clusterId));
    remaining = remaining.filter((t) => !taken.has(t.clusterId));
    return { index, name: wave.name, clusterIds: [...taken], implicit: false };
  });
  if (remaining.length > 0) planned.push({ index: planned.length, name: "rest", clusterIds: remaining.map((t) => t.clusterId), implicit: true });
  return planned;
}

/** Whether a wave's failures stay within what its gate tolerates. */
export function withinFailureBudget(wave: Pick<Wave, "maxFailures" | "maxFailurePercent">, failed: number, size: number): boolean {
  if (failed <= wave.maxFailures) return true;
  return wave.maxFailurePercent !== undefined && size > 0 && (failed * 100) / size <= wave.maxFailurePercent;
}

/** Where a rollout stands, kept on the rollout so a restart goes on from there. */
export const WAVE_PHASES = ["applying", "gate", "halted", "approval", "finished"] as const;
export type WavePhase = (typeof WAVE_PHASES)[number];
export type GateCluster = { clusterId: string; cluster: string; state: string; reason: string | null };
export type RolloutControl = {
  waves: { name: string; implicit: boolean; size: number }[];
  /** Index of the wave being applied or gated. */
  current: number;
  phase: WavePhase;
  /**
   * The current wave's gate: since when every cluster has passed (the soak counts from there),
   * a sentence, and the clusters holding it (failing, or not yet Compliant on the version).
   */
  gate: { passingSince: string | null; message: string; failing: GateCluster[]; waiting: GateCluster[] } | null;
  approvals: { wave: number; by: string; at: string }[];
  paused: { by: string; at: string } | null;
  aborted: { by: string; at: string; rollback: boolean } | null;
};

export function initialControl(plan: readonly PlannedWave[]): RolloutControl {
  return { waves: plan.map((w) => ({ name: w.name, implicit: w.implicit, size: w.clusterIds.length })), current: 0, phase: "applying", gate: null, approvals: [], paused: null, aborted: null };
}

/** The settings of planned wave `index`; the implicit "rest" wave takes the last wave's. */
export function waveSettings(strategy: Strategy, index: number): Wave {
  return strategy.waves[Math.min(index, strategy.waves.length - 1)]!;
}

/** The control of a rollout without a strategy: one wave of every target. */
export function singleWave(clusterIds: readonly string[]): RolloutControl {
  return initialControl([{ index: 0, name: "all", clusterIds: [...clusterIds], implicit: false }]);
}
