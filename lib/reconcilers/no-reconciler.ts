export const NO_RECONCILER =
  "the cluster has no reconciler: neither Flux nor Argo CD is installed (or these credentials cannot see them); install one, or set the reconciler on the cluster's Credentials tab";
