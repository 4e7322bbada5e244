// GitRepository as source-controller reconciles it: resolve spec.ref on the
// remote, store the revision as an artifact, report git failures verbatim.
import { artifactFor, credentialsFrom, SecretError, type FluxContext, type Outcome, type SecretRef } from "./flux-common";
import type { GitReference } from "./git-mirror";
import type { KubeObject } from "./kube-rest";

type GitRepositorySpec = { url: string; ref?: GitReference; secretRef?: SecretRef };

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
    const artifact = artifactFor(obj, resolved.revision, checkout.digest, checkout.size);
    const message = `stored artifact for revision '${resolved.revision}'`;
    return {
      ready: "True",
      reason: "Succeeded",
      message,
      status: { artifact },
      conditions: [{ type: "ArtifactInStorage", status: "True", reason: "Succeeded", message }],
      removeConditions: ["FetchFailed"],
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
