import { z } from "zod";
import { dnsLabelSchema } from "@/lib/validation/names";

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const booleanFlag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z.string().trim().min(1).default("./data/fleetline.db"),
    FLEETLINE_DATA_DIR: z.string().trim().min(1).default("./data"),
    FLEETLINE_SECRET_KEY: optionalText.refine(
      (v) => v === undefined || decodeKey(v) !== null,
      "must be 32 bytes, written as 64 hex characters or base64",
    ),
    // Where the key lives when FLEETLINE_SECRET_KEY is unset; default <data dir>/secret.key, i.e.
    // next to the database: point it elsewhere (another volume, a mounted secret) in production.
    FLEETLINE_SECRET_KEY_FILE: optionalText,
    // During a key rotation only: the old key, still accepted for reading (see `npm run keys:rotate`).
    FLEETLINE_SECRET_KEY_PREVIOUS: optionalText.refine(
      (v) => v === undefined || decodeKey(v) !== null,
      "must be 32 bytes, written as 64 hex characters or base64",
    ),
    NEXTAUTH_SECRET: optionalText,
    NEXTAUTH_URL: optionalText.pipe(z.url().optional()),
    FLEETLINE_SESSION_MAX_AGE_S: z.coerce.number().int().min(300).max(30 * 24 * 3600).default(8 * 3600),
    FLEETLINE_ADMIN_EMAIL: optionalText.pipe(z.email().optional()),
    FLEETLINE_ADMIN_PASSWORD: optionalText.pipe(z.string().min(12, "must be at least 12 characters").optional()),
    FLEETLINE_TRUST_PROXY: booleanFlag,
    FLEETLINE_OIDC_ISSUER: optionalText.pipe(z.url().optional()),
    FLEETLINE_OIDC_CLIENT_ID: optionalText,
    FLEETLINE_OIDC_CLIENT_SECRET: optionalText,
    FLEETLINE_OIDC_NAME: z.string().trim().min(1).default("Single sign-on"),
    FLEETLINE_OIDC_GROUPS_CLAIM: z.string().trim().min(1).default("groups"),
    FLEETLINE_OIDC_ROLE_MAP: optionalText,
    // Allow-lists for single sign-on; empty means anyone the identity provider vouches for.
    FLEETLINE_OIDC_ALLOWED_GROUPS: optionalText,
    FLEETLINE_OIDC_ALLOWED_DOMAINS: optionalText.refine(
      (v) => v === undefined || v.split(",").every((d) => /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(d.trim().replace(/^@/, ""))),
      "must be a comma-separated list of email domains, e.g. example.com,corp.example.com",
    ),
    FLEETLINE_HEALTH_INTERVAL_S: z.coerce.number().int().min(1).max(3600).default(60),
    FLEETLINE_HEALTH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    FLEETLINE_HEALTH_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(32),
    // The status collector shares the health sweep's concurrency and per-cluster timeout.
    FLEETLINE_STATUS_INTERVAL_S: z.coerce.number().int().min(1).max(3600).default(30),
    // "watch": the loop lists then watches the reconciler kinds each cluster's configurations use,
    // so a change reaches the rows within a second; between full observations (every
    // FLEETLINE_INVENTORY_INTERVAL_S) a pass only checks the cluster answers. "list": every pass lists.
    FLEETLINE_OBSERVE_MODE: z.enum(["watch", "list"]).default("watch"),
    // "on": each cluster's requests and watches are streams of one HTTP/2 connection, and a pass
    // between full observations proves life with a PING (half the CPU at rest of "off" at 2,000
    // clusters, one socket per cluster instead of up to four). "off": HTTP/1.1 keep-alive agents.
    // A server that does not offer h2 is spoken to over HTTP/1.1 either way.
    FLEETLINE_HTTP2: z.enum(["on", "off"]).default("on"),
    // In watch mode, how often the inventory facts (nodes, controllers, every Flux object, discovery)
    // are read again in full; the status rows come from the watches in between.
    FLEETLINE_INVENTORY_INTERVAL_S: z.coerce.number().int().min(1).max(86400).default(300),
    // How often the running loop looks for resource drift (inventory objects edited outside Git) on
    // each cluster: one list per kind in the Kustomizations' inventories, more requests than the
    // rest of a pass together, so not on every pass.
    FLEETLINE_DRIFT_INTERVAL_S: z.coerce.number().int().min(1).max(86400).default(300),
    // How often the observation loop fetches each configuration's Git source (for "behind by N").
    FLEETLINE_GIT_INTERVAL_S: z.coerce.number().int().min(1).max(3600).default(60),
    // Policy results (Gatekeeper, policy reports) are read this often per cluster: Gatekeeper audits
    // every 60 s by default, so reading faster only re-reads the same audit.
    FLEETLINE_POLICY_INTERVAL_S: z.coerce.number().int().min(1).max(86400).default(60),
    // An audit older than this is shown as stale, not as passing: 5 Gatekeeper audit intervals;
    // 3 of Kyverno's hourly background scans for policy reports.
    FLEETLINE_POLICY_STALE_S: z.coerce.number().int().min(1).max(30 * 86400).default(300),
    // A policy read has its own deadline, apart from the status work's: aggregated reports can hold
    // 100,000 results (about 36 MB), which no status deadline would fit.
    FLEETLINE_POLICY_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
    // Images and chart versions (the Versions page) are read this often per cluster: they change
    // only when something is deployed, the page compares the fleet rather than watching one
    // rollout (the status rows do that), and each read lists up to five workload kinds per cluster,
    // which at thousands of clusters is load worth sparing the API servers every 30 s.
    FLEETLINE_VERSIONS_INTERVAL_S: z.coerce.number().int().min(1).max(86400).default(300),
    // A versions read has its own deadline, apart from the status work's (workload lists and the
    // Git manifests at the applied revision).
    FLEETLINE_VERSIONS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
    FLEETLINE_REPORT_STALE_S: z.coerce.number().int().min(1).max(30 * 86400).default(10800),
    // Retention (issue 17): how long rows are kept, pruned hourly in small batches. History keeps
    // more than the 30-day trend, and each pair's newest row whatever its age (the trend walks
    // back from it).
    // How often a wave's gate reads the status the observation loop wrote (a database read, no
    // cluster I/O): how soon after the last cluster turns Compliant the soak starts counting.
    FLEETLINE_GATE_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
    FLEETLINE_RETAIN_AUDIT_DAYS: z.coerce.number().int().min(1).max(36500).default(365),
    FLEETLINE_RETAIN_HISTORY_DAYS: z.coerce.number().int().min(31, "must be at least 31: the compliance trend reads 30 days of history").max(36500).default(90),
    FLEETLINE_RETAIN_ROLLOUT_DAYS: z.coerce.number().int().min(1).max(36500).default(180),
    FLEETLINE_RETAIN_SESSION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    // One limit on concurrent cluster work across observation, pushes, dry runs and drift views.
    FLEETLINE_CLUSTER_WORK_LIMIT: z.coerce.number().int().min(1).max(1024).default(64),
    // Off in tests that drive sweeps themselves.
    FLEETLINE_BACKGROUND: z.enum(["on", "off"]).default("on"),
    // Replicas (lib/server/replicas.ts): this process's name among the portal processes sharing the
    // database (default hostname-pid-random), and how long one may miss its heartbeats before its
    // share of the clusters and its leases are taken over.
    FLEETLINE_REPLICA_ID: optionalText.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "must be 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit")
        .optional(),
    ),
    FLEETLINE_REPLICA_TTL_S: z.coerce.number().int().min(3).max(300).default(10),
    // In-cluster mode (deploy/): register the cluster Fleetline runs in through its ServiceAccount.
    FLEETLINE_IN_CLUSTER: booleanFlag,
    FLEETLINE_IN_CLUSTER_NAME: z
      .string()
      .trim()
      .default("in-cluster")
      .pipe(dnsLabelSchema),
    // Notifications (issue 16): events arriving within this window of the first pending one go out
    // as one message per rule, channel and event type (a sweep that flips 300 clusters sends one).
    FLEETLINE_NOTIFY_GROUP_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
    // Each webhook request's deadline, sends per channel at most one per this interval, attempts on 429/5xx.
    FLEETLINE_NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    FLEETLINE_NOTIFY_MIN_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
    FLEETLINE_NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(5),
    // An approved waiver this many days (or fewer) from its end is announced once (waiver.expiring).
    FLEETLINE_NOTIFY_WAIVER_WARN_DAYS: z.coerce.number().int().min(1).max(90).default(3),
    // Test-only escape hatch: Git/chart sources on loopback (the harness's Git server).
    FLEETLINE_ALLOW_LOCAL_SOURCES: booleanFlag,
  })
  .superRefine((e, ctx) => {
    if (Boolean(e.FLEETLINE_ADMIN_EMAIL) !== Boolean(e.FLEETLINE_ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: "custom",
        path: [e.FLEETLINE_ADMIN_EMAIL ? "FLEETLINE_ADMIN_PASSWORD" : "FLEETLINE_ADMIN_EMAIL"],
        message: "FLEETLINE_ADMIN_EMAIL and FLEETLINE_ADMIN_PASSWORD must be set together",
      });
    }
    const oidc = [e.FLEETLINE_OIDC_ISSUER, e.FLEETLINE_OIDC_CLIENT_ID, e.FLEETLINE_OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["FLEETLINE_OIDC_ISSUER"],
        message: "single sign-on needs FLEETLINE_OIDC_ISSUER, FLEETLINE_OIDC_CLIENT_ID and FLEETLINE_OIDC_CLIENT_SECRET",
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** A 32-byte key written as hex or base64; null when it is neither. */
export function decodeKey(text: string): Buffer | null {
  const hex = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : null;
  if (hex) return hex;
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(text)) return null;
  const b64 = Buffer.from(text, "base64");
  return b64.length === 32 ? b64 : null;
}

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(environment)"}: ${i.message}`);
  throw new EnvError(`Invalid environment configuration:\n${lines.join("\n")}`);
}

let cached: Env | undefined;

/** The validated environment, parsed once per process. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
