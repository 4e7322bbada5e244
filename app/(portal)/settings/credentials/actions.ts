"use server";

import { revalidatePath } from "next/cache";
import { formFields } from "@/lib/actions/form";
import type { ActionResult } from "@/lib/actions/result";
import { recordAudit } from "@/lib/audit";
import { auditActor, requirePermission } from "@/lib/auth/current";
import { createCredential, deleteCredential, type CredentialView } from "@/lib/credentials/store";

/** Creates a credential; the result carries only its safe view (public key, fingerprint), never the secret. */
export async function createCredentialAction(_prev: unknown, form: FormData): Promise<ActionResult<CredentialView>> {
  const values = formFields(form);
  const target = { action: "credential.create", targetType: "credential", targetId: values.name?.slice(0, 63) ?? null };
  const actor = await requirePermission("credentials.write", target);
  const result = await createCredential(values, { author: actor.user.email });
  if (result.status === "invalid") {
    recordAudit({ ...target, actor: auditActor(actor), outcome: "invalid", details: { fields: Object.keys(result.fieldErrors) } });
    return result;
  }
  const c = result.credential;
  recordAudit({ ...target, targetId: c.name, actor: auditActor(actor), outcome: "success", details: { type: c.type, host: c.host, fingerprint: c.fingerprint } });
  revalidatePath("/settings/credentials");
  return { status: "ok", message: `Created credential ${c.name}.`, data: c };
}

export async function deleteCredentialAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const id = formFields(form).credentialId ?? "";
  const target = { action: "credential.delete", targetType: "credential", targetId: id };
  const actor = await requirePermission("credentials.write", target);
  const result = deleteCredential(id);
  if (result.status === "not-found") return { status: "error", message: "That credential no longer exists." };
  if (result.status === "in-use") return { status: "error", message: `In use by ${result.configurations.join(", ")}: change those configurations first.` };
  recordAudit({ ...target, actor: auditActor(actor), outcome: "success" });
  revalidatePath("/settings/credentials");
  return { status: "ok", message: "Credential deleted." };
}
