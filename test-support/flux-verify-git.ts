// spec.verify of a GitRepository as source-controller checks it: the PGP keys are every value of
// the named Secret; the commit's gpgsig header (a tag's trailing signature) must verify against
// one of them, or the source stops at SourceVerified=False with the controller's own words and
// no new artifact. Written from source-controller's verifySignature and fluxcd/pkg/git's messages.
import { createMessage, readKeys, readSignature, verify, type Key } from "openpgp";
import type { ConditionInput } from "./conditions";
import type { KubeRest } from "./kube-rest";

export type GitVerification = { mode?: string; secretRef: { name: string } };

export type VerifyResult = { ok: true; condition: ConditionInput } | { ok: false; reason: string; message: string; condition: ConditionInput };

const EMPTY = "unable to verify payload as the provided signature is empty";
const NO_MATCH = "unable to verify payload with any of the given key rings";

/** A commit object's payload (without gpgsig) and its signature. */
export function splitCommit(raw: string): { payload: string; signature: string } {
  const end = raw.indexOf("\n\n");
  const headers = (end < 0 ? raw : raw.slice(0, end)).split("\n");
  const kept: string[] = [];
  const signature: string[] = [];
  let inSig = false;
  for (const line of headers) {
    if (line.startsWith("gpgsig ")) {
      inSig = true;
      signature.push(line.slice("gpgsig ".length));
    } else if (inSig && line.startsWith(" ")) signature.push(line.slice(1));
    else {
      inSig = false;
      kept.push(line);
    }
  }
  return { payload: `${kept.join("\n")}${end < 0 ? "" : raw.slice(end)}`, signature: signature.join("\n") };
}

/** An annotated tag object's payload and its trailing signature. */
export function splitTag(raw: string): { payload: string; signature: string } {
  const at = raw.indexOf("-----BEGIN PGP SIGNATURE-----");
  return at < 0 ? { payload: raw, signature: "" } : { payload: raw.slice(0, at), signature: raw.slice(at) };
}

/** The signing key's id as Go's KeyIdString prints it, or the error fluxcd/pkg/git returns. */
async function check(payload: string, armored: string, keyRings: string[]): Promise<{ keyId: string } | { error: string }> {
  if (armored.trim() === "") return { error: EMPTY };
  const keys: Key[] = [];
  for (const ring of keyRings) keys.push(...(await readKeys({ armoredKeys: ring }).catch(() => [])));
  try {
    const signature = await readSignature({ armoredSignature: armored });
    const result = await verify({ message: await createMessage({ binary: Buffer.from(payload, "utf8") }), signature, verificationKeys: keys });
    for (const sig of result.signatures) {
      try {
        await sig.verified;
        const entity = keys.find((key) => key.getKeys(sig.keyID).length > 0);
        return { keyId: (entity?.getKeyID() ?? sig.keyID).toHex().toUpperCase() };
      } catch {
        // The next signature, if any.
      }
    }
  } catch {
    // An unreadable signature verifies against nothing.
  }
  return { error: NO_MATCH };
}

/**
 * Verifies what the mode asks for; `rawCommit` is `git cat-file commit <sha>`, `rawTag` the tag
 * object of the reference's tag (undefined for a lightweight tag or a branch).
 */
export async function verifyGit(rest: KubeRest, namespace: string, verification: GitVerification, sha: string, rawCommit: string, tag?: { name: string; raw: string | undefined }): Promise<VerifyResult> {
  const fail = (reason: string, message: string): VerifyResult => ({ ok: false, reason, message, condition: { type: "SourceVerified", status: "False", reason, message } });
  const secret = await rest.get("v1", "Secret", namespace, verification.secretRef.name);
  if (!secret) return fail("VerificationError", `PGP public keys secret error: secrets "${verification.secretRef.name}" not found`);
  const keyRings = Object.values((secret.data ?? {}) as Record<string, string>).map((value) => Buffer.from(value, "base64").toString("utf8"));
  const mode = verification.mode === "head" || !verification.mode ? "HEAD" : verification.mode;
  const lines: string[] = [];
  if (mode === "Tag" || mode === "TagAndHEAD") {
    const parts = tag?.raw ? splitTag(tag.raw) : { payload: "", signature: "" };
    const result = await check(parts.payload, parts.signature, keyRings);
    if ("error" in result) return fail("InvalidTagSignature", `signature verification of tag '${tag?.name ?? ""}' failed: unable to verify Git tag: ${result.error}`);
    lines.push(`tag '${tag?.name ?? ""}' with key '${result.keyId}'`);
  }
  if (mode === "HEAD" || mode === "TagAndHEAD") {
    const parts = splitCommit(rawCommit);
    const result = await check(parts.payload, parts.signature, keyRings);
    if ("error" in result) return fail("InvalidCommitSignature", `signature verification of commit '${sha}' failed: unable to verify Git commit: ${result.error}`);
    lines.push(`commit '${sha}' with key '${result.keyId}'`);
  }
  return { ok: true, condition: { type: "SourceVerified", status: "True", reason: "Succeeded", message: `verified signature of\n${lines.map((line) => `\t- ${line}`).join("\n")}` } };
}
