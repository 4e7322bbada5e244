import "server-only";
import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import type { ClusterCredentials } from "./types";
import { checkApiServerUrl } from "./url-guard";

export type CredentialField = keyof ClusterCredentials;

export type CredentialsCheck =
  | { ok: true; credentials: ClusterCredentials }
  | { ok: false; field: CredentialField; reason: string };

// Real tokens (service-account JWTs, OIDC) stay far below this; it bounds header size.
const MAX_TOKEN_LENGTH = 16 * 1024;

/**
 * Validates decoded credentials, whether they came from a kubeconfig or from the
 * "URL + token" form. Reasons describe the problem, never the value.
 */
export function checkCredentials(credentials: ClusterCredentials): CredentialsCheck {
  const fail = (field: CredentialField, reason: string): CredentialsCheck => ({ ok: false, field, reason });
  const urlProblem = checkApiServerUrl(credentials.server);
  if (urlProblem) return fail("server", urlProblem);
  const { caData, token, clientCertData, clientKeyData, tlsServerName } = credentials;
  if (caData !== undefined) {
    const problem = checkCertificateBundle(caData);
    if (problem) return fail("caData", problem);
  }
  if (tlsServerName !== undefined && !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i.test(tlsServerName)) {
    return fail("tlsServerName", "must be a DNS name");
  }
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
    return fail("token", "must be printable ASCII without spaces or line breaks");
  }
  if (token !== undefined && token.length > MAX_TOKEN_LENGTH) {
    return fail("token", `is longer than ${MAX_TOKEN_LENGTH} characters`);
  }
  if ((clientCertData === undefined) !== (clientKeyData === undefined)) {
    return clientCertData === undefined
      ? fail("clientCertData", "is required when a client key is given")
      : fail("clientKeyData", "is required when a client certificate is given");
  }
  if (clientCertData !== undefined && clientKeyData !== undefined) {
    const problem = checkClientPair(clientCertData, clientKeyData);
    if (problem) return fail(problem.field, problem.reason);
  }
  if (token === undefined && clientCertData === undefined) {
    return fail("token", "is required (or a client certificate and key)");
  }
  return { ok: true, credentials };
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** One or more PEM certificates, each a parseable X.509 certificate. */
export function checkCertificateBundle(pem: string): string | null {
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) return "is not a PEM certificate (no BEGIN CERTIFICATE block)";
  for (const block of blocks) {
    if (!parseCertificate(block)) return "contains a PEM block that is not a valid X.509 certificate";
  }
  return null;
}

function checkClientPair(certPem: string, keyPem: string): { field: CredentialField; reason: string } | null {
  const [block] = certPem.match(CERTIFICATE_BLOCK) ?? [];
  const certificate = block === undefined ? undefined : parseCertificate(block);
  if (!certificate) return { field: "clientCertData", reason: "is not a valid PEM certificate" };
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyPem)) {
    return { field: "clientKeyData", reason: "is not a PEM private key (no BEGIN PRIVATE KEY block)" };
  }
  const key = parsePrivateKey(keyPem);
  if (!key) return { field: "clientKeyData", reason: "is not a valid unencrypted PEM private key" };
  if (!certificate.checkPrivateKey(key)) {
    return { field: "clientKeyData", reason: "does not belong to the client certificate" };
  }
  return null;
}

// node:crypto error messages are not shown: they are not needed and could quote input.
function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function parsePrivateKey(pem: string): KeyObject | undefined {
  try {
    return createPrivateKey({ key: pem, format: "pem" });
  } catch {
    return undefined;
  }
}
