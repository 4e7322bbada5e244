/** Names, API versions and annotations of what Fleetline writes for an Argo CD cluster. */

export const APPLICATION_API_VERSION = "argoproj.io/v1alpha1";
/** Where Argo CD watches Applications and repository Secrets unless installed elsewhere. */
export const ARGO_NAMESPACE = "argocd";
export const DEFAULT_PROJECT = "default";
/** The cluster Argo CD itself runs in: Fleetline pushes to each cluster's own Argo CD. */
export const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";

export const SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";
export const REFRESH_ANNOTATION = "argocd.argoproj.io/refresh";
/**
 * The automated sync policy of a suspended Application, as JSON, so resume can put back
 * exactly what suspend (or a suspended configuration) took away.
 */
export const SUSPENDED_AUTOMATED_ANNOTATION = "fleetline.io/argo-automated";

export type AutomatedPolicy = { prune: boolean; selfHeal: boolean };
