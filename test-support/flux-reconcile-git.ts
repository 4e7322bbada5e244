// GitRepository as source-controller reconciles it: resolve spec.ref on the
// remote, store the revision as an artifact, report git failures verbatim.
import { artifactFor, credentialsFrom, SecretError, type FluxContext, type Outcome, type SecretRef } from "./flux-common";
import { verifyGit, type GitVerification, type VerifyResult } from "./flux-verify-git";
import type { GitReference } from "./git-mirror";
import type { KubeObject } from "./kube-rest";

type GitRepositorySpec = { url: string; ref?: GitReference; secretRef?: SecretRef; verify?: GitVerification };

export async function reconcileGitRepository(ctx: FluxContext, obj: KubeObject): Promise<Outcome> {
  const spec = obj.spec as GitRepositorySpec;
  const namespace = obj.metadata.namespace ?? "default";
  let creds;
  try {
    creds = await credentialsFrom(ctx.rest, namespace, spec.secretRef);
  } catch (err) {
    if (!(err instanceof SecretError)) throw err;
    return {
      ready: "False",
      reason: "AuthenticationFailed",
      message: err.message,
      conditions: [{ type: "FetchFailed", status: "True", reason: "AuthenticationFailed", message: err.message }],
    };
  }
  try {
    const resolved = await ctx.mirror.resolve(spec.url, spec.ref, creds);
    const checkout = await ctx.mirror.checkout(spec.url, resolved.sha, creds);
    let verified: VerifyResult | undefined;
    if (spec.verify) {
      const tagName = spec.ref?.tag ?? (spec.ref?.semver ? resolved.refName : undefined);
      const tag = tagName ? { name: tagName, raw: await ctx.mirror.rawTag(spec.url, tagName) } : undefined;
      verified = await verifyGit(ctx.rest, namespace, spec.verify, resolved.sha, await ctx.mirror.rawCommit(spec.url, resolved.sha), tag);
      // No new artifact from a source that fails verification: Ready=False with the same words.
      if (!verified.ok) return { ready: "False", reason: verified.reason, message: verified.message, conditions: [verified.condition] };
    }
    const artifact = artifactFor(obj, resolved.revision, checkout.digest, checkout.size);
    const message = `stored artifact for revision '${resolved.revision}'`;
    return {
      ready: "True",
      reason: "Succeeded",
      message,
      status: { artifact },
      conditions: [{ type: "ArtifactInStorage", status: "True", reason: "Succeeded", message }, ...(verified ? [verified.condition] : [])],
      removeConditions: ["FetchFailed", ...(verified ? [] : ["SourceVerified"])],
    };
  } catch (err) {
    // Git's own words (auth, unreachable host, missing ref), framed like source-controller.
    const detail = err instanceof Error ? err.message.replace(/^fatal: /, "") : String(err);
    const message = `failed to checkout and determine revision: unable to clone '${spec.url}': ${detail}`;
    return {
      ready: "False",
      reason: "GitOperationFailed",
      message,
      conditions: [{ type: "FetchFailed", status: "True", reason: "GitOperationFailed", message }],
    };
  }
}
