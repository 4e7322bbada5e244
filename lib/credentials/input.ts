import { z } from "zod";
import { dnsLabelSchema } from "@/lib/validation/names";
import { hasControlChars, requiredString, ruleString } from "@/lib/validation/rules";
import { checkHost } from "./host-binding";

/**
 * What an admin submits to create a credential. Pure (runs in the browser too); the checks
 * that need node:crypto (key and certificate parsing) run in createCredential.
 */

export const MAX_SECRET_LENGTH = 4096;
export const MAX_PEM_LENGTH = 64 * 1024;

// Forms send "" for untouched optional fields.
const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const secretText = ruleString((value) => {
  if (value.length === 0) return "is required";
  if (value.length > MAX_SECRET_LENGTH) return `must be at most ${MAX_SECRET_LENGTH} characters`;
  // It travels in an HTTP header: a line break would let it add headers of its own.
  return hasControlChars(value) ? "must not contain line breaks or control characters" : undefined;
});

const pemText = (what: string) =>
  ruleString((value) => {
    if (value.length > MAX_PEM_LENGTH) return `must be at most ${MAX_PEM_LENGTH} characters`;
    return value.includes(`-----BEGIN ${what}-----`) ? undefined : `must be PEM text (-----BEGIN ${what}-----)`;
  });

const base = {
  name: dnsLabelSchema,
  host: ruleString(checkHost),
};

export const credentialInputSchema = z.discriminatedUnion(
  "type",
  [
    z.object({
      ...base,
      type: z.literal("ssh"),
      // Absent: Fleetline generates an ed25519 key and shows its public half.
      privateKey: z.preprocess(blankToUndefined, requiredString().optional()),
      knownHosts: requiredString().refine((value) => value.trim() !== "", "is required (ssh-keyscan <host> prints it)"),
    }),
    z.object({
      ...base,
      type: z.literal("https"),
      username: ruleString((value) => {
        if (value.length === 0) return "is required";
        if (value.length > 256) return "must be at most 256 characters";
        // Basic authentication joins user and password with ':'.
        if (value.includes(":")) return "must not contain ':'";
        return hasControlChars(value) ? "must not contain control characters" : undefined;
      }),
      password: secretText,
      caCert: z.preprocess(blankToUndefined, pemText("CERTIFICATE").optional()),
    }),
    z.object({ ...base, type: z.literal("bearer"), token: secretText }),
    z.object({ ...base, type: z.literal("ca"), caCert: pemText("CERTIFICATE") }),
  ],
  { error: "must be ssh, https, bearer or ca" },
);

export type CredentialInput = z.output<typeof credentialInputSchema>;
