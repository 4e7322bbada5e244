import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Time } from "@/components/ui/time";
import { requirePageAccess } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";
import { listTokens } from "@/lib/auth/tokens";
import { CreateTokenForm, RevokeTokenButton } from "./token-forms";

export const metadata: Metadata = { title: "API tokens" };

const tokenState = (t: { revokedAt: Date | null; revokedBy: string | null; expiresAt: Date }) =>
  t.revokedAt ? `revoked by ${t.revokedBy ?? "?"}` : t.expiresAt.getTime() <= Date.now() ? "expired" : "active";

/** Personal API tokens; admins see (and may revoke) everyone's. */
export default async function TokensPage() {
  const { user } = await requirePageAccess("dashboard.read");
  const isAdmin = can(user.role, "users.write");
  const tokens = listTokens(isAdmin ? "all" : user.id);
  return (
    <>
      <PageHeader
        title="API tokens"
        description="For pipelines and scripts: send one as Authorization: Bearer <token> to /api/v1. Shown once, stored only as a hash; a token acts with its own role or yours, whichever is lower."
      />
      <div className="grid gap-6 2xl:grid-cols-[1fr_22rem]">
        {tokens.length === 0 ? (
          <EmptyState title="No API tokens">Create one for a pipeline; give it the narrowest role that does the job.</EmptyState>
        ) : (
          <div className="card overflow-x-auto">
            <table className="table-dense">
              <caption className="sr-only">API tokens</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  {isAdmin ? <th scope="col">Owner</th> : null}
                  <th scope="col">Role</th>
                  <th scope="col">Starts with</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => {
                  const state = tokenState(t);
                  return (
                    <tr key={t.id}>
                      <td className="font-mono">{t.name}</td>
                      {isAdmin ? <td>{t.ownerEmail}</td> : null}
                      <td>{t.role}</td>
                      <td className="font-mono text-xs">{t.prefix}…</td>
                      <td>
                        <Time date={t.createdAt} />
                      </td>
                      <td>{t.expiresAt.toISOString().slice(0, 10)}</td>
                      <td>{t.lastUsedAt ? <><Time date={t.lastUsedAt} /> from {t.lastUsedIp}</> : "never"}</td>
                      <td>{state}</td>
                      <td>{state === "active" ? <RevokeTokenButton tokenId={t.id} name={t.name} /> : null}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <section aria-labelledby="create-token" className="card p-4">
          <h2 id="create-token" className="mb-3 font-semibold">
            Create token
          </h2>
          <CreateTokenForm ownRole={user.role} />
        </section>
      </div>
    </>
  );
}
