import "server-only";
import crypto from "node:crypto";
import { and, asc, eq, isNull, or, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { jsonArrayValues, jsonText } from "@/db/sql-dialect";
import { configurations, configurationVersions, credentials, type Credential } from "@/db/schema-configurations";
import { env } from "@/lib/env";
import { decrypt, encrypt, fingerprint, FINGERPRINT_PREFIX, openOrSkip } from "@/lib/crypto";
import { isKeyCredentialType, type KeyCredentialType } from "@/db/enums";
import { webhookEntries } from "@/lib/reconcilers/flux/keys";
import { credentialSupportProblem, keyReferences, maskedCredential, maskedKey, type RenderCredential, type RenderKey } from "@/lib/reconcilers/flux/render";
import { checkCertificateBundle } from "@/lib/k8s/credentials";
import { formatZodErrors, type ConfigurationSpec, type SourceSpec } from "@/lib/validation/configuration";
import { hostBindingProblem, normalizeHost } from "./host-binding";
import { credentialInputSchema, type CredentialInput } from "./input";
import { parseCosignPublicKey, parsePgpPublicKeys, parseSopsKey } from "./keys";
import { knownHostsCover, knownHostsSummary, parseKnownHosts } from "./known-hosts";
import { generateEd25519KeyPair, parsePrivateKey } from "./ssh-key";
import { highlightedFields } from "@/lib/validation/field-labels";
import { isUniqueViolation } from "@/db/errors";

/** What the browser may see of a credential: never the secret, only what identifies it. */
export type CredentialView = {
  id: string;
  name: string;
  type: Credential["type"];
  host: string;
  fingerprint: string;
  /** SSH only: the public key to add as a deploy key. */
  publicKey: string | null;
  /** SSH only: the hosts its known_hosts vouches for. */
  knownHosts: string[];
  username: string | null;
  hasCaCert: boolean;
  createdBy: string;
  createdAt: Date;
};

export type CreateCredentialResult =
  | { status: "ok"; credential: CredentialView }
  | { status: "invalid"; fieldErrors: Record<string, string>; message: string };

type Prepared = { secret: RenderCredential | RenderKey; publicKey: string | null; fingerprint: string; knownHosts: string[] };

const sealContext = (id: string) => `credential:${id}:secret`;

function invalid(fieldErrors: Record<string, string>): CreateCredentialResult {
  return { status: "invalid", fieldErrors, message: highlightedFields(Object.keys(fieldErrors)) };
}

export function toView(row: Credential): CredentialView {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    host: row.host,
    fingerprint: row.fingerprint,
    publicKey: row.publicKey,
    knownHosts: row.knownHosts,
    username: row.username,
    hasCaCert: row.hasCaCert,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  };
}

/** The node:crypto half of validation; errors are keyed by field and never quote the input. */
async function prepare(input: CredentialInput): Promise<Prepared | { fieldErrors: Record<string, string> }> {
  const fail = (field: string, message: string) => ({ fieldErrors: { [field]: message } });
  switch (input.type) {
    case "ssh": {
      const knownHosts = parseKnownHosts(input.knownHosts);
      if (!knownHosts.ok) return fail("knownHosts", knownHosts.error);
      const host = normalizeHost(input.host);
      if (!knownHostsCover(knownHosts.entries, host)) return fail("knownHosts", `has no entry for ${host} (ssh-keyscan ${host} prints one)`);
      const hosts = knownHostsSummary(knownHosts.entries);
      if (input.privateKey === undefined) {
        const pair = generateEd25519KeyPair(`fleetline-${input.name}`);
        const secret: RenderCredential = { type: "ssh", identity: pair.privateKey, identityPub: pair.publicKey, knownHosts: input.knownHosts };
        return { secret, publicKey: pair.publicKey, fingerprint: pair.fingerprint, knownHosts: hosts };
      }
      const parsed = parsePrivateKey(input.privateKey);
      if (!parsed.ok) return fail("privateKey", parsed.error);
      // Flux and OpenSSH want the key file to end with a newline.
      const identity = `${input.privateKey.trim()}\n`;
      const secret: RenderCredential = { type: "ssh", identity, identityPub: parsed.publicKey, knownHosts: input.knownHosts };
      return { secret, publicKey: parsed.publicKey, fingerprint: parsed.fingerprint, knownHosts: hosts };
    }
    case "https": {
      if (input.caCert !== undefined) {
        const problem = checkCertificateBundle(input.caCert);
        if (problem) return fail("caCert", problem);
      }
      const secret: RenderCredential = { type: "https", username: input.username, password: input.password, ...(input.caCert ? { caCert: input.caCert } : {}) };
      return { secret, publicKey: null, fingerprint: fingerprint(JSON.stringify(secret)), knownHosts: [] };
    }
    case "bearer": {
      const secret: RenderCredential = { type: "bearer", token: input.token };
      return { secret, publicKey: null, fingerprint: fingerprint(JSON.stringify(secret)), knownHosts: [] };
    }
    case "ca": {
      const problem = checkCertificateBundle(input.caCert);
      if (problem) return fail("caCert", problem);
      const secret: RenderCredential = { type: "ca", caCert: input.caCert };
      return { secret, publicKey: null, fingerprint: fingerprint(JSON.stringify(secret)), knownHosts: [] };
    }
    // Keys show what identifies them (key fingerprints, age recipients); public keys are kept
    // in the clear too, for previews.
    case "pgp": {
      const parsed = await parsePgpPublicKeys(input.publicKeys);
      if (!parsed.ok) return fail("publicKeys", parsed.error);
      const secret: RenderKey = { type: "pgp", publicKeys: parsed.value.keys };
      return { secret, publicKey: parsed.value.keys.join(""), fingerprint: parsed.value.fingerprints.join(", "), knownHosts: [] };
    }
    case "cosign": {
      const parsed = parseCosignPublicKey(input.publicKey);
      if (!parsed.ok) return fail("publicKey", parsed.error);
      const secret: RenderKey = { type: "cosign", publicKey: parsed.value.pem };
      return { secret, publicKey: parsed.value.pem, fingerprint: parsed.value.fingerprint, knownHosts: [] };
    }
    case "sops": {
      const parsed = await parseSopsKey(input.privateKey);
      if (!parsed.ok) return fail("privateKey", parsed.error);
      const key = parsed.value;
      if (key.format === "age") {
        const secret: RenderKey = { type: "sops", format: "age", privateKey: key.identities };
        return { secret, publicKey: key.recipients.join("\n"), fingerprint: key.recipients.join(", "), knownHosts: [] };
      }
      const secret: RenderKey = { type: "sops", format: "pgp", privateKey: key.privateKey };
      return { secret, publicKey: null, fingerprint: key.fingerprint, knownHosts: [] };
    }
    case "webhook": {
      const secret: RenderKey = { type: "webhook", ...(input.address !== undefined ? { address: input.address } : {}), ...(input.token !== undefined ? { token: input.token } : {}) };
      // Which entries it holds may be shown (previews render the Secret's keys, masked); their values may not.
      const entries = [input.address !== undefined ? "address" : undefined, input.token !== undefined ? "token" : undefined].filter(Boolean).join(",");
      return { secret, publicKey: entries, fingerprint: fingerprint(JSON.stringify(secret)), knownHosts: [] };
    }
  }
}

/** A webhook credential's address host, shown in the list (the address itself is never shown). */
function webhookHost(input: CredentialInput): string {
  if (input.type !== "webhook" || input.address === undefined) return "";
  return normalizeHost(new URL(input.address).hostname);
}

/** Validates and stores a credential, sealed; nothing is written when any field is invalid. */
export async function createCredential(raw: unknown, { author }: { author: string }): Promise<CreateCredentialResult> {
  const parsed = credentialInputSchema.safeParse(raw);
  if (!parsed.success) return invalid(formatZodErrors(parsed.error));
  const input = parsed.data;
  const prepared = await prepare(input);
  if ("fieldErrors" in prepared) return invalid(prepared.fieldErrors);
  const id = crypto.randomUUID();
  const secret = prepared.secret;
  let row: Credential;
  try {
    row = getDb()
      .insert(credentials)
      .values({
        id,
        name: input.name,
        type: input.type,
        host: "host" in input ? normalizeHost(input.host) : webhookHost(input),
        sealed: encrypt(JSON.stringify(secret), sealContext(id)),
        fingerprint: prepared.fingerprint,
        publicKey: prepared.publicKey,
        knownHosts: prepared.knownHosts,
        username: secret.type === "https" ? secret.username : null,
        hasCaCert: (secret.type === "https" && secret.caCert !== undefined) || secret.type === "ca",
        createdBy: author,
        createdAt: new Date(),
      })
      .returning()
      .get();
  } catch (error) {
    if (isUniqueViolation(error, "credentials", "name")) return invalid({ name: "is already used by another credential" });
    throw error;
  }
  return { status: "ok", credential: toView(row) };
}

export function listCredentials(): CredentialView[] {
  return getDb().select().from(credentials).orderBy(asc(credentials.name)).all().map(toView);
}

export function getCredential(id: string): CredentialView | undefined {
  const row = getDb().select().from(credentials).where(eq(credentials.id, id)).get();
  return row ? toView(row) : undefined;
}

/** Live configurations whose current or last pushed version uses the credential. */
export function credentialUsers(id: string): { id: string; name: string }[] {
  return getDb()
    .selectDistinct({ id: configurations.id, name: configurations.name })
    .from(configurationVersions)
    .innerJoin(configurations, eq(configurations.id, configurationVersions.configurationId))
    .where(
      and(
        isNull(configurations.deletedAt),
        or(eq(configurationVersions.version, configurations.currentVersion), eq(configurationVersions.version, configurations.pushedVersion)),
        // Logging in to the source, verifying its signatures, or decrypting a Kustomization's files.
        or(
          sql`${jsonText(configurationVersions.spec, "source", "credentialId")} = ${id}`,
          sql`${jsonText(configurationVersions.spec, "source", "verify", "credentialId")} = ${id}`,
          sql`exists (select 1 from ${jsonArrayValues(configurationVersions.spec, "k", "kustomizations")} where ${jsonText(sql`k.value`, "decryption", "credentialId")} = ${id})`,
          sql`exists (select 1 from ${jsonArrayValues(configurationVersions.spec, "p", "notifications", "providers")} where ${jsonText(sql`p.value`, "credentialId")} = ${id})`,
        ),
      ),
    )
    .all();
}

export type DeleteCredentialResult = { status: "ok" } | { status: "not-found" } | { status: "in-use"; configurations: string[] };

/** Refuses while a configuration still renders the credential: its Secret would vanish on the next push. */
export function deleteCredential(id: string): DeleteCredentialResult {
  if (!getCredential(id)) return { status: "not-found" };
  const users = credentialUsers(id);
  if (users.length > 0) return { status: "in-use", configurations: users.map((u) => u.name) };
  getDb().delete(credentials).where(eq(credentials.id, id)).run();
  return { status: "ok" };
}

/** Why this credential cannot authenticate this source (missing, other host, wrong type), or undefined. */
export function credentialProblemForSource(id: string, source: SourceSpec): string | undefined {
  const row = getDb().select({ type: credentials.type, host: credentials.host }).from(credentials).where(eq(credentials.id, id)).get();
  if (!row) return "no such credential";
  if (isKeyCredentialType(row.type)) return `is a ${KEY_NOUNS[row.type]}: it ${row.type === "webhook" ? "sends notifications" : "verifies or decrypts"}, it cannot log in to a source`;
  return hostBindingProblem(row.host, source, row.type, { allowLocalSources: env().FLEETLINE_ALLOW_LOCAL_SOURCES }) ?? credentialSupportProblem(source, row.type);
}

export class CredentialUnavailableError extends Error {}

/**
 * The decrypted credential for rendering a source's Secret. Refuses, at the last moment
 * too, a source on another host than the one the credential was created for.
 */
export function toRenderCredential(id: string, source: SourceSpec): RenderCredential {
  const row = getDb().select().from(credentials).where(eq(credentials.id, id)).get();
  if (!row) throw new CredentialUnavailableError("the source's credential no longer exists");
  if (isKeyCredentialType(row.type)) throw new CredentialUnavailableError(`the source's credential is a ${KEY_NOUNS[row.type]}, which cannot log in`);
  const problem = hostBindingProblem(row.host, source, row.type, { allowLocalSources: env().FLEETLINE_ALLOW_LOCAL_SOURCES });
  if (problem) throw new CredentialUnavailableError(problem);
  return JSON.parse(decrypt(row.sealed, sealContext(row.id))) as RenderCredential;
}

const KEY_NOUNS: Record<KeyCredentialType, string> = { pgp: "PGP public key set", cosign: "cosign public key", sops: "SOPS decryption key", webhook: "notification webhook" };

/** Why each key credential the spec names cannot be used (missing, of another type), by form path. */
export function keyCredentialProblems(spec: ConfigurationSpec): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const ref of keyReferences(spec)) {
    const row = getDb().select({ type: credentials.type, publicKey: credentials.publicKey }).from(credentials).where(eq(credentials.id, ref.credentialId)).get();
    const missing = row?.type === "webhook" ? ref.needs?.find((entry) => !webhookEntries(row.publicKey).includes(entry)) : undefined;
    if (!row) problems[ref.path] = "no such credential";
    else if (row.type !== ref.type) problems[ref.path] = `must be a ${KEY_NOUNS[ref.type]} credential, not ${row.type}`;
    else if (missing) problems[ref.path] = `must hold ${missing === "address" ? "the webhook address" : "an API token"} for this provider type`;
  }
  return problems;
}

/** The decrypted key credentials a spec names, for rendering what is pushed. */
export function renderKeysFor(spec: ConfigurationSpec): Record<string, RenderKey> {
  const keys: Record<string, RenderKey> = {};
  for (const ref of keyReferences(spec)) {
    const row = getDb().select().from(credentials).where(eq(credentials.id, ref.credentialId)).get();
    if (!row) throw new CredentialUnavailableError(`the ${KEY_NOUNS[ref.type]} credential (${ref.path}) no longer exists`);
    if (row.type !== ref.type) throw new CredentialUnavailableError(`${ref.path} names a ${row.type} credential, not a ${KEY_NOUNS[ref.type]}`);
    keys[ref.credentialId] = JSON.parse(decrypt(row.sealed, sealContext(row.id))) as RenderKey;
  }
  return keys;
}

/**
 * The key credentials a spec names, for previews: nothing is decrypted. A missing or mistyped one
 * renders as a masked placeholder (a preview shows the objects either way) and is named in
 * `problems`, in words a person reads (status shows them).
 */
export function maskedKeysFor(spec: ConfigurationSpec): { keys: Record<string, RenderKey>; problems: string[] } {
  const keys: Record<string, RenderKey> = {};
  const problems: string[] = [];
  for (const ref of keyReferences(spec)) {
    const row = getDb().select({ type: credentials.type, publicKey: credentials.publicKey }).from(credentials).where(eq(credentials.id, ref.credentialId)).get();
    if (row && row.type === ref.type) keys[ref.credentialId] = maskedKey(ref.type, row);
    else {
      keys[ref.credentialId] ??= maskedKey(ref.type, { publicKey: null });
      problems.push(row ? `${ref.path} names a ${row.type} credential, not a ${KEY_NOUNS[ref.type]}` : `the ${KEY_NOUNS[ref.type]} credential (${ref.path}) no longer exists`);
    }
  }
  return { keys, problems };
}

export type PreviewSecrets = { credential?: RenderCredential; keys: Record<string, RenderKey>; problem?: string };

/**
 * A spec's source credential and keys with their secrets masked, for previews, status and drift
 * (names, kinds and specs are what matter there): nothing is decrypted.
 */
export function maskedSecretsFor(spec: ConfigurationSpec): PreviewSecrets {
  const { keys, problems } = maskedKeysFor(spec);
  const keyProblem = problems.length > 0 ? { problem: problems.join("; ") } : {};
  const id = spec.source.credentialId;
  if (id === undefined) return { keys, ...keyProblem };
  const row = getDb().select({ type: credentials.type, hasCaCert: credentials.hasCaCert }).from(credentials).where(eq(credentials.id, id)).get();
  if (!row || isKeyCredentialType(row.type)) return { keys, problem: ["the source's credential no longer exists", ...problems].join("; ") };
  return { keys, credential: maskedCredential(row.type, { withCaCert: row.hasCaCert && row.type === "https" }), ...keyProblem };
}

/**
 * Replaces fingerprints stored before they were keyed (unsalted "sha256:" hashes of the
 * secret) with keyed ones. SSH keys keep OpenSSH's public-key fingerprint. Runs at boot.
 */
export function recomputeFingerprints(): number {
  const db = getDb();
  let changed = 0;
  for (const row of db.select().from(credentials).all()) {
    // SSH keys and key credentials carry their keys' own fingerprints, not hashes of a secret.
    if (row.type === "ssh" || isKeyCredentialType(row.type) || row.fingerprint.startsWith(FINGERPRINT_PREFIX)) continue;
    // A row sealed under another key stays as it is: start-up goes on, and a push that needs it says why it fails.
    const opened = openOrSkip(() => decrypt(row.sealed, sealContext(row.id)), "credential", row.id);
    if (opened === undefined) continue;
    const next = fingerprint(opened);
    db.update(credentials).set({ fingerprint: next }).where(eq(credentials.id, row.id)).run();
    changed++;
  }
  return changed;
}
