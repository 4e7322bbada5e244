// Pure: cluster:up's command line.

export type ClusterUpOptions = { flux: boolean; argo: boolean; name: string };

export const USAGE = [
  "usage: cluster-up [--argo | --flux --argo | --no-flux] [--name NAME]",
  "  (default)      Flux CRDs and the Flux stand-in",
  "  --argo         Argo CD only (CRDs and the Application stand-in), so the cluster is detected as Argo CD",
  "  --flux --argo  both (Fleetline then detects Flux, which wins)",
  "  --no-flux      no reconciler at all",
  "  --name NAME    cluster name prefix (default fleetline-dev)",
].join("\n");

/** The options, or null for a command line it does not understand. */
export function parseClusterUpArgs(args: readonly string[]): ClusterUpOptions | null {
  let name = "fleetline-dev";
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--name") {
      const value = args[++i];
      if (!value || !/^[a-z0-9][a-z0-9-]{0,30}$/.test(value)) return null;
      name = value;
    } else if (arg === "--no-flux" || arg === "--argo" || arg === "--flux") flags.add(arg);
    else return null;
  }
  if (flags.has("--flux") && flags.has("--no-flux")) return null;
  const argo = flags.has("--argo");
  // --argo alone means Argo CD only: with Flux beside it the portal would detect Flux.
  const flux = flags.has("--flux") || (!argo && !flags.has("--no-flux"));
  return { flux, argo, name };
}
