import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { Time } from "@/components/ui/time";
import { requirePageAccess } from "@/lib/auth/current";
import { listUsers } from "@/lib/queries/users";
import { CreateUserForm, DisableToggle, ResetPassword, RoleSelect } from "./user-forms";
import { plural } from "@/lib/words";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const actor = await requirePageAccess("users.read");
  const rows = listUsers();
  return (
    <>
      <PageHeader title="Users" description="Who may sign in, and with which role. Disabling a user or resetting a password ends their sessions." />
      <div className="grid gap-6 2xl:grid-cols-[1fr_20rem]">
        <div className="card overflow-x-auto">
          <table className="table-dense">
            <caption className="sr-only">Users</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((u) => (
                <tr key={u.id}>
                  <td>
                    <div className="font-medium">{u.name}</div>
                    <div className="text-xs text-zinc-500">
                      {u.email}
                      {u.authSource === "oidc" ? " · SSO" : ""}
                    </div>
                  </td>
                  <td>
                    <RoleSelect userId={u.id} email={u.email} role={u.role} />
                  </td>
                  <td>
                    {u.isDisabled ? (
                      <span className="font-medium text-red-700 dark:text-red-400">Disabled</span>
                    ) : (
                      <span>Active · {plural(u.liveSessions ?? 0, "session")}</span>
                    )}
                  </td>
                  <td className="whitespace-nowrap"><Time date={u.lastLoginAt} /></td>
                  <td className="space-y-1">
                    {u.id !== actor.user.id ? <DisableToggle userId={u.id} email={u.email} isDisabled={u.isDisabled} /> : <span className="text-xs text-zinc-500">You</span>}
                    {u.authSource === "local" ? <ResetPassword userId={u.id} email={u.email} /> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <section aria-labelledby="create-user" className="card p-4">
          <h2 id="create-user" className="mb-3 text-base font-semibold">Create user</h2>
          <CreateUserForm />
        </section>
      </div>
    </>
  );
}
