// Pure: the one definition of resource drift, shared by the collector's badge count (status
// rows, dashboard, matrix, exports) and the Drift tab.
//
// Flux: an applied object is drifted when it carries changes made outside Git, i.e. fields
// written by another field manager since kustomize-controller's last apply (foreignChanges in
// ./managed-fields). That covers what a dry run cannot see: a label Git never sets (`kubectl
// label`) survives Flux's forced apply, so it is no difference to the dry run, yet it is a
// change nobody committed. Argo CD: the resources Argo CD itself reports OutOfSync.

/** The fields of a Drift tab object this definition reads. */
export type DriftObjectLike = { foreignChanges: readonly unknown[] };
export type DriftReportLike = { method: string; objects: readonly DriftObjectLike[] };

export function countsAsResourceDrift(object: DriftObjectLike, method: string): boolean {
  return method === "argocd" || object.foreignChanges.length > 0;
}

/** How many objects the status row's "N resource drift" badge counts for these reports. */
export function resourceDriftCount(reports: readonly DriftReportLike[]): number {
  return reports.reduce((sum, report) => sum + report.objects.filter((o) => countsAsResourceDrift(o, report.method)).length, 0);
}
