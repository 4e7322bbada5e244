import { z } from "zod";
import { DEFAULT_INTERVAL, intervalSchema, timeoutSchema } from "./duration";
import { resourceIdSchema } from "./limits";
import { dnsLabelSchema } from "./names";
import { yamlListSchema } from "./configuration-flux-fields";
import { checkBucketName, checkCommitSha, checkGitRefName, checkOciDigest, checkOciTag } from "./refs";
import { boundedText, requiredString, ruleString, type CheckResult } from "./rules";
import { normalizeRepoPath } from "./repo-path";
import { checkSemverRange } from "./semver-range";
import {
  checkBucketEndpoint,
  checkGitUrl,
  checkHelmRepositoryUrl,
  checkOciUrl,
  type SourceUrlOptions,
} from "./urls";

/** The source half of a configuration: one Flux source object, named after the configuration. */

export const DEFAULT_SOURCE_TIMEOUT = "60s";
export const MAX_SPARSE_CHECKOUT_PATHS = 50;
export const MAX_OIDC_IDENTITIES = 10;
export const MAX_IGNORE_LENGTH = 64 * 1024;

function checkedString(check: (value: string) => CheckResult) {
  return requiredString().superRefine((value, ctx) => {
    const result = check(value);
    if (!result.ok) ctx.addIssue({ code: "custom", message: result.error });
  });
}

const gitRefSchema = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("branch"), value: ruleString(checkGitRefName) }),
    z.object({ type: z.literal("tag"), value: ruleString(checkGitRefName) }),
    z.object({ type: z.literal("semver"), value: ruleString(checkSemverRange) }),
    z.object({ type: z.literal("commit"), value: ruleString(checkCommitSha) }),
  ],
  { error: "must be a branch, tag, semver or commit reference" },
);

const ociRefSchema = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("tag"), value: ruleString(checkOciTag) }),
    z.object({ type: z.literal("semver"), value: ruleString(checkSemverRange) }),
    z.object({ type: z.literal("digest"), value: ruleString(checkOciDigest) }),
  ],
  { error: "must be a tag, semver or digest reference" },
);

/**
 * Directories of the repository (sparseCheckout), by the Kustomization path's rules; each problem
 * is reported on the list, by line, as the wizard edits it as lines.
 */
const sparseCheckoutSchema = z
  .array(z.string({ error: "must be a list of directories" }))
  .max(MAX_SPARSE_CHECKOUT_PATHS, `must be at most ${MAX_SPARSE_CHECKOUT_PATHS} directories`)
  .transform((dirs, ctx) =>
    dirs.map((dir, i) => {
      const result = normalizeRepoPath(dir.trim());
      const problem = !result.ok ? result.error : result.path === "./" ? "must name a directory: leave the list empty to check out the whole repository" : undefined;
      if (problem) ctx.addIssue({ code: "custom", message: `line ${i + 1}: ${problem}` });
      // Rendered as git's sparse-checkout takes directories: "deploy/prod", not "./deploy/prod".
      return result.ok ? result.path.replace(/^\.\//, "") : dir;
    }),
  );

/** A Go regular expression (the keyless signer's issuer or subject, an Alert's inclusion or exclusion list), checked here with JavaScript's syntax, which shares RE2's common core. */
export const identityPatternSchema = requiredString()
  .max(1024, "must be at most 1024 characters")
  .superRefine((value, ctx) => {
    if (/\(\?[=!<]/.test(value)) ctx.addIssue({ code: "custom", message: "must not use lookaround: Go's regular expressions (RE2) have none" });
    else
      try {
        new RegExp(value);
      } catch {
        ctx.addIssue({ code: "custom", message: "is not a valid regular expression" });
      }
  });

// OCI artifacts: which layer to use, and cosign keyless verification (the signer's OIDC identity).
const ociLayerSelectorSchema = z.object({
  mediaType: ruleString((value) => (/^[\w.+-]+\/[\w.+-]+$/.test(value) && value.length <= 255 ? undefined : "must be a media type such as application/vnd.cncf.flux.content.v1.tar+gzip")),
  operation: z.enum(["extract", "copy"], { error: "must be extract or copy" }).optional(),
});
/**
 * cosign verification: by a public key (a cosign key credential) or keyless, by the signer's OIDC
 * identity. Flux ignores the identities when a key is given, so one of the two, not both.
 */
const ociVerifySchema = z
  .object({
    provider: z.literal("cosign", { error: "must be cosign" }),
    credentialId: resourceIdSchema.optional(),
    matchOIDCIdentity: z
      .array(z.object({ issuer: identityPatternSchema, subject: identityPatternSchema }))
      .max(MAX_OIDC_IDENTITIES, `must be at most ${MAX_OIDC_IDENTITIES} identities`)
      .default(() => []),
  })
  .superRefine((verify, ctx) => {
    if (verify.credentialId !== undefined && verify.matchOIDCIdentity.length > 0) {
      ctx.addIssue({ code: "custom", path: ["matchOIDCIdentity"], message: "must be empty when a public key verifies the artifact (Flux would ignore it)" });
    }
    if (verify.credentialId === undefined && verify.matchOIDCIdentity.length === 0) {
      ctx.addIssue({ code: "custom", path: ["matchOIDCIdentity"], message: "needs at least one issuer and subject to match the signer against, or a cosign public key" });
    }
  });

export const GIT_VERIFY_MODES = ["HEAD", "Tag", "TagAndHEAD"] as const;

/** Commit (HEAD) and/or tag signatures checked against the PGP public keys of a pgp credential. */
const gitVerifySchema = z.object({
  mode: z.enum(GIT_VERIFY_MODES, { error: "must be HEAD, Tag or TagAndHEAD" }).default("HEAD"),
  credentialId: resourceIdSchema,
});

export const MAX_GIT_INCLUDES = 20;

/** A path inside the artifact (toPath) or the included repository (fromPath): relative, no '..'. */
const includePathSchema = ruleString((value) => {
  const result = normalizeRepoPath(value.trim());
  return result.ok ? undefined : result.error;
});

// include: source-controller GitRepositoryInclude {repository: {name}, fromPath, toPath}, edited
// as a YAML list in Flux's own shape like the other list fields.
const gitIncludeItemSchema = z.strictObject(
  {
    repository: z.strictObject({ name: dnsLabelSchema }, { error: "must be a mapping with the GitRepository's name" }),
    fromPath: includePathSchema.optional(),
    toPath: includePathSchema.optional(),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `has an unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")} (Flux would drop it)` : "must be a mapping") },
);

const timing = {
  interval: intervalSchema.default(DEFAULT_INTERVAL),
  timeout: timeoutSchema.default(DEFAULT_SOURCE_TIMEOUT),
};

/** Sources for one URL policy: pass `allowLocalSources` from the admin setting. */
export function makeSourceSchema(options: SourceUrlOptions = {}) {
  return z.discriminatedUnion(
    "kind",
    [
      z
        .object({
        kind: z.literal("GitRepository"),
        url: checkedString((url) => checkGitUrl(url, options)),
        ref: gitRefSchema,
        ...timing,
        credentialId: resourceIdSchema.optional(),
        provider: z.enum(["generic", "azure", "github"]).optional(),
        ignore: ruleString(boundedText(MAX_IGNORE_LENGTH, { multiline: true })).optional(),
        recurseSubmodules: z.boolean().optional(),
        sparseCheckout: sparseCheckoutSchema.optional(),
        verify: gitVerifySchema.optional(),
        include: yamlListSchema(gitIncludeItemSchema, { noun: "repositories", max: MAX_GIT_INCLUDES }).optional(),
      })
      .superRefine((source, ctx) => {
        // source-controller verifies a tag only when the ref names one.
        if (source.verify && source.verify.mode !== "HEAD" && source.ref.type !== "tag" && source.ref.type !== "semver") {
          ctx.addIssue({ code: "custom", path: ["verify", "mode"], message: `${source.verify.mode} needs a tag or semver reference; use HEAD to verify the commit of a branch` });
        }
      }),
      z.object({
        kind: z.literal("OCIRepository"),
        url: checkedString((url) => checkOciUrl(url, options)),
        ref: ociRefSchema,
        ...timing,
        credentialId: resourceIdSchema.optional(),
        provider: z.enum(["generic", "aws", "azure", "gcp"]).default("generic"),
        layerSelector: ociLayerSelectorSchema.optional(),
        verify: ociVerifySchema.optional(),
      }),
      z.object({
        kind: z.literal("Bucket"),
        bucketName: ruleString(checkBucketName),
        // Whether the endpoint is refused does not depend on `insecure`; only the warning does.
        endpoint: checkedString((endpoint) => checkBucketEndpoint(endpoint, false, options)),
        provider: z.enum(["generic", "aws", "gcp", "azure"]).default("generic"),
        region: ruleString((value) =>
          /^[a-z0-9][a-z0-9-]{0,62}$/.test(value) ? undefined : "must be lowercase letters, digits and '-' (region)",
        ).optional(),
        prefix: ruleString(boundedText(1024)).optional(),
        insecure: z.boolean().default(false),
        ...timing,
        credentialId: resourceIdSchema.optional(),
      }),
      z
        .object({
          kind: z.literal("HelmRepository"),
          url: requiredString(),
          type: z.enum(["default", "oci"]).default("default"),
          ...timing,
          credentialId: resourceIdSchema.optional(),
        })
        .superRefine((source, ctx) => {
          // The URL rules depend on the repository type, so they are checked on the object.
          const result = checkHelmRepositoryUrl(source.url, source.type === "oci" ? "oci" : "default", options);
          if (!result.ok) ctx.addIssue({ code: "custom", path: ["url"], message: result.error });
        }),
    ],
    { error: "must be GitRepository, OCIRepository, Bucket or HelmRepository" },
  );
}

export type SourceSpec = z.output<ReturnType<typeof makeSourceSchema>>;
export type SourceKind = SourceSpec["kind"];
export type GitRepositorySource = Extract<SourceSpec, { kind: "GitRepository" }>;
export type OciRepositorySource = Extract<SourceSpec, { kind: "OCIRepository" }>;
export type BucketSource = Extract<SourceSpec, { kind: "Bucket" }>;
export type HelmRepositorySource = Extract<SourceSpec, { kind: "HelmRepository" }>;

/** Non-blocking advice about a valid source (plain http, insecure bucket), keyed by field path. */
export function sourceWarnings(source: SourceSpec, options: SourceUrlOptions = {}): Record<string, string> {
  const result: CheckResult =
    source.kind === "GitRepository"
      ? checkGitUrl(source.url, options)
      : source.kind === "HelmRepository"
        ? checkHelmRepositoryUrl(source.url, source.type, options)
        : source.kind === "Bucket"
          ? checkBucketEndpoint(source.endpoint, source.insecure, options)
          : checkOciUrl(source.url, options);
  if (!result.ok || !result.warning) return {};
  return { [source.kind === "Bucket" ? "source.insecure" : "source.url"]: result.warning };
}
