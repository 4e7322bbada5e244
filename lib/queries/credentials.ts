import "server-only";
import { listCredentials } from "@/lib/credentials/store";

export { listCredentials };

/** What the wizard's credential picker needs: never the sealed secret, not even its view's details. */
export function credentialOptions() {
  return listCredentials().map(({ id, name, type, host }) => ({ id, name, type, host }));
}
