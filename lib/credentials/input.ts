import { z } from "zod";
import { dnsLabelSchema } from "@/lib/validation/names";
import { hasControlChars, requiredString, ruleString } from "@/lib/validation/rules";
import { checkNotifyUrl } from "@/lib/validation/urls";
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

const armoredText = (what: string) =>
  ruleString((value) => {
    if (value.length > MAX_PEM_LENGTH) return `must be at most ${MAX_PEM_LENGTH} characters`;
    if (value.includes("PRIVATE KEY")) return "holds a private key: paste only the public keys (gpg --export --armor)";
    return value.includes(`-----BEGIN ${what}-----`) ? undefined : `must be ASCII-armored (-----BEGIN ${what}-----)`;
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
    // Keys are bound to no host: they verify or decrypt what a source fetched, they log nothing in.
    z.object({ name: dnsLabelSchema, type: z.literal("pgp"), publicKeys: armoredText("PGP PUBLIC KEY BLOCK") }),
    z.object({ name: dnsLabelSchema, type: z.literal("cosign"), publicKey: pemText("PUBLIC KEY") }),
    z.object({
      name: dnsLabelSchema,
      type: z.literal("sops"),
      privateKey: ruleString((value) => {
        if (value.length > MAX_PEM_LENGTH) return `must be at most ${MAX_PEM_LENGTH} characters`;
        const text = value.trim();
        if (text.includes("AGE-SECRET-KEY-") || text.includes("-----BEGIN PGP PRIVATE KEY BLOCK-----")) return undefined;
        return "must be an age identity (AGE-SECRET-KEY-1…) or an armored PGP private key (-----BEGIN PGP PRIVATE KEY BLOCK-----)";
      }),
    }),
    // What a Flux notification Provider posts with: the webhook address (itself a secret) and/or an API token.
    z
      .object({
        name: dnsLabelSchema,
        type: z.literal("webhook"),
        address: z.preprocess(
          blankToUndefined,
          ruleString((value) => {
            const result = checkNotifyUrl(value);
            return result.ok ? undefined : result.error;
          }).optional(),
        ),
        token: z.preprocess(blankToUndefined, secretText.optional()),
      })
      .refine((input) => input.address !== undefined || input.token !== undefined, { path: ["address"], message: "or a token is required" }),
  ],
  { error: "must be ssh, https, bearer, ca, pgp, cosign, sops or webhook" },
);

export type CredentialInput = z.output<typeof credentialInputSchema>;
