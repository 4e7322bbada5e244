import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Time } from "@/components/ui/time";
import { requirePageAccess } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";
import { listCredentials } from "@/lib/queries/credentials";
import { CreateCredentialForm, DeleteCredentialButton } from "./credential-forms";

export const metadata: Metadata = { title: "Credentials" };

export default async function CredentialsPage() {
  const { user } = await requirePageAccess("credentials.read");
  const rows = listCredentials();
  const canWrite = can(user.role, "credentials.write");
  return (
    <>
      <PageHeader title="Git and registry credentials" description="Encrypted at rest and never shown again: only a fingerprint, the host and (for SSH) the public key. Keys verify signatures (PGP, cosign) or decrypt SOPS files. On a cluster each becomes a Secret in Flux's key layout." />
      <div className="grid gap-6 2xl:grid-cols-[1fr_22rem]">
        {rows.length === 0 ? (
          <EmptyState title="No credentials yet">Public repositories need none. Private ones need a credential bound to their host.</EmptyState>
        ) : (
          <div className="card overflow-x-auto">
            <table className="table-dense">
              <caption className="sr-only">Credentials</caption>
              <thead>
                <tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Host</th><th scope="col">Fingerprint</th><th scope="col">Created</th>{canWrite ? <th scope="col">Actions</th> : null}</tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.id}>
                    <td className="font-mono">{c.name}</td>
                    <td>{c.type}{c.username ? ` (${c.username})` : ""}</td>
                    <td className="font-mono text-xs">{c.host || <span className="text-zinc-500">none (a key)</span>}</td>
                    <td className="font-mono text-xs">{c.fingerprint}</td>
                    <td><Time date={c.createdAt} /> by {c.createdBy}</td>
                    {canWrite ? <td><DeleteCredentialButton credential={c} /></td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {canWrite ? (
          <section aria-labelledby="create-credential" className="card p-4">
            <h2 id="create-credential" className="mb-3 font-semibold">Create credential</h2>
            <CreateCredentialForm />
          </section>
        ) : null}
      </div>
    </>
  );
}
