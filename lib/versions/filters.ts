// Pure: the Versions page's filters as the URL carries them, shared by the page and the export route.
import { z } from "zod";
import { parseSelectorText } from "@/lib/compliance/selector-text";
import type { LabelSelector } from "@/lib/validation/label-selector";
import { groupKeySchema } from "@/lib/compliance/filters";

/** Cluster columns per page: what fits beside the image names at 1280 px. */
export const VERSIONS_COLUMN_PAGE_SIZE = 6;

const text = z.string().trim().max(200).optional().catch(undefined);

export const versionsFilterSchema = z.object({
  // Cluster name contains.
  cluster: text,
  // A label selector in kubectl's syntax (env=prod, region in (eu,us)).
  labels: text,
  // Image (or chart) name contains.
  image: text,
  configuration: z.string().trim().max(100).optional().catch(undefined),
  kind: z.enum(["images", "charts"]).default("images").catch("images"),
  // Only rows (and export lines) where some cell is behind or not what Git says.
  only: z.enum(["behind", "not-in-git"]).optional().catch(undefined),
  // A label key; cluster columns are grouped by its value.
  group: groupKeySchema,
  cols: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
});

export type VersionsFilter = z.infer<typeof versionsFilterSchema>;

export function parseVersionsFilter(params: Record<string, string | string[] | undefined>): VersionsFilter {
  const flat = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  return versionsFilterSchema.parse(flat);
}

/** The label filter as a selector; an error names what does not parse (the page shows it, the filter is not applied). */
export function labelSelectorOf(f: Pick<VersionsFilter, "labels">): { selector?: LabelSelector; error?: string } {
  if (!f.labels) return {};
  const parsed = parseSelectorText(f.labels);
  return parsed.ok ? { selector: parsed.selector } : { error: parsed.message };
}

/** The filter as URL parameters, defaults left out so links stay short. */
export function versionsParams(f: VersionsFilter, extra: Record<string, string | number | undefined> = {}): string {
  const entries: [string, string | number | undefined][] = [
    ["cluster", f.cluster],
    ["labels", f.labels],
    ["image", f.image],
    ["configuration", f.configuration],
    ["kind", f.kind === "images" ? undefined : f.kind],
    ["only", f.only],
    ["group", f.group],
    ["cols", f.cols > 1 ? f.cols : undefined],
    ...Object.entries(extra),
  ];
  const params = new URLSearchParams();
  for (const [key, value] of entries) if (value !== undefined && value !== "") params.set(key, String(value));
  return params.toString();
}
