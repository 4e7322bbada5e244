// Pure: the matrix filters as the URL carries them, shared by the page and the export route.
import { z } from "zod";
import { COMPLIANCE_STATES } from "@/db/schema-status";
import { checkLabelKey } from "@/lib/validation/names";

export const MATRIX_PAGE_SIZE = 50;
/** Configuration (or assignment) columns per page: what fits beside the cluster at 1280 px (five measured 1,040 px in a 1,006 px card). */
export const MATRIX_COLUMN_PAGE_SIZE = 4;
const MATRIX_SORTS = ["name", "worst", "failing"] as const;
const MATRIX_VIEWS = ["configurations", "assignments"] as const;
const DRIFT_FILTERS = ["any", "config", "revision", "resource"] as const;

const text = z.string().trim().max(200).optional().catch(undefined);
const id = z.string().trim().max(100).optional().catch(undefined);

/** A label key to group by, from a URL; anything that is not a valid key is ignored. */
export const groupKeySchema = z
  .string()
  .trim()
  .max(317)
  .optional()
  .catch(undefined)
  .transform((v) => (v && !checkLabelKey(v) ? v : undefined));

export const matrixFilterSchema = z.object({
  q: text,
  label: text,
  state: z.enum(COMPLIANCE_STATES).optional().catch(undefined),
  configuration: id,
  assignment: id,
  drift: z.enum(DRIFT_FILTERS).optional().catch(undefined),
  // A label key; rows are grouped by its value.
  group: groupKeySchema,
  view: z.enum(MATRIX_VIEWS).default("configurations").catch("configurations"),
  sort: z.enum(MATRIX_SORTS).default("name").catch("name"),
  dir: z.enum(["asc", "desc"]).default("asc").catch("asc"),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
  // The page of columns, like `page` for rows: a matrix with many configurations pages sideways
  // instead of scrolling sideways.
  cols: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
});

export type MatrixFilter = z.infer<typeof matrixFilterSchema>;

export function isMatrixFiltered(f: MatrixFilter): boolean {
  return Boolean(f.q || f.label || f.state || f.configuration || f.assignment || f.drift);
}

/** The filter as URL parameters, defaults left out so links stay short. */
export function matrixParams(f: MatrixFilter): Record<string, string | number | undefined> {
  return {
    q: f.q,
    label: f.label,
    state: f.state,
    configuration: f.configuration,
    assignment: f.assignment,
    drift: f.drift,
    group: f.group,
    view: f.view === "configurations" ? undefined : f.view,
    sort: f.sort === "name" ? undefined : f.sort,
    dir: f.dir === "asc" ? undefined : f.dir,
    page: f.page > 1 ? f.page : undefined,
    cols: f.cols > 1 ? f.cols : undefined,
  };
}
