import type { DashboardSummary } from "@/lib/queries/dashboard";

/** DashboardSummary as it travels as JSON: dates become ISO strings. */
type Jsonify<T> = T extends Date ? string : T extends (infer U)[] ? Jsonify<U>[] : T extends object ? { [K in keyof T]: Jsonify<T[K]> } : T;

export type DashboardData = Jsonify<DashboardSummary>;

export function toDashboardData(summary: DashboardSummary): DashboardData {
  return JSON.parse(JSON.stringify(summary)) as DashboardData;
}
