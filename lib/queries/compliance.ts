import "server-only";

// The compliance page's reads. The queries themselves live beside the compliance domain
// (lib/compliance: cells, states, selectors), which the export route and the trend share.

export { listAssignments, listStoredAssignments, type Assignment, type AssignmentListing } from "@/lib/compliance/assignments";
export { loadMatrix } from "@/lib/compliance/matrix";
export { loadSummary } from "@/lib/compliance/summary";
export { loadTrend } from "@/lib/compliance/trend";
export { listConfigurations } from "@/lib/configurations/store";
