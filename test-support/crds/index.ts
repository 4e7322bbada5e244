// The CRDs the harness installs. They are TS objects rather than YAML so the
// shared schema pieces (conditions, artifact, durations) are written once.
import { argoCrds } from "./argo";
import { fluxDeployerCrds } from "./flux-deployers";
import { fluxNotificationCrds } from "./flux-notifications";
import { fluxSourceCrds } from "./flux-sources";
import { policyCrds } from "./policy";

export { FLUX_VERSION, fluxLabels } from "./flux-sources";
export type { CustomResourceDefinition } from "./schema";

export const fluxCrds = [...fluxSourceCrds, ...fluxDeployerCrds, ...fluxNotificationCrds];
export { argoCrds, policyCrds };
export { CONSTRAINTS_GROUP, OPENREPORTS_API, TEMPLATES_GROUP, WGPOLICY_API } from "./policy";
