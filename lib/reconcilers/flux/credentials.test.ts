import { describe, expect, it } from "vitest";
import type { SourceSpec } from "@/lib/validation/configuration";
import { base64Encode, credentialSupportProblem, renderCredentialSecret, type CredentialType } from "./credentials";
import { CANARY, CREDENTIALS, gitHttpsInput, helmInput, ociInput } from "./test-fixtures";
import type { RenderCredential, RenderInput } from "./types";

function decode(data: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([key, value]) => [key, Buffer.from(value, "base64").toString("utf8")]));
}

function withSource(input: RenderInput, source: Partial<SourceSpec>): RenderInput {
  return { ...input, spec: { ...input.spec, source: { ...input.spec.source, ...source } as SourceSpec } };
}

describe("base64Encode", () => {
  it("encodes UTF-8 like Node's Buffer, including large input", () => {
    for (const text of ["", "user:pass", "ünïcødé ✓", "x".repeat(200_000)]) {
      expect(base64Encode(text)).toBe(Buffer.from(text, "utf8").toString("base64"));
    }
  });
});

describe("credential Secret layout", () => {
  it.each<[string, RenderCredential, Record<string, string>]>([
    ["https", CREDENTIALS.https, { username: CANARY.username, password: CANARY.password }],
    ["https with CA", CREDENTIALS.httpsWithCa, { username: CANARY.username, password: CANARY.password, "ca.crt": CANARY.caCert }],
    ["bearer", CREDENTIALS.bearer, { bearerToken: CANARY.token }],
    ["ca", CREDENTIALS.ca, { "ca.crt": CANARY.caCert }],
  ])("uses Flux's Git keys for %s", (_, credential, keys) => {
    const { secret, refs } = renderCredentialSecret(gitHttpsInput, credential);
    expect(secret).toMatchObject({ apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name: "baseline-auth", namespace: "flux-system" } });
    expect(decode(secret.data)).toEqual(keys);
    expect(refs).toEqual({ secretRef: { name: "baseline-auth" } });
  });

  it("uses identity, identity.pub and known_hosts for SSH", () => {
    const input = withSource(gitHttpsInput, { url: "ssh://git@github.com/acme/fleet" });
    expect(decode(renderCredentialSecret(input, CREDENTIALS.ssh).secret.data)).toEqual({
      identity: CANARY.identity,
      "identity.pub": CANARY.identityPub,
      known_hosts: CANARY.knownHosts,
    });
  });

  it("writes a dockerconfigjson Secret for an OCIRepository login", () => {
    const { secret, refs } = renderCredentialSecret(ociInput, CREDENTIALS.https);
    expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
    const config: unknown = JSON.parse(decode(secret.data)[".dockerconfigjson"] ?? "");
    expect(config).toEqual({
      auths: {
        "ghcr.io": {
          username: CANARY.username,
          password: CANARY.password,
          auth: Buffer.from(`${CANARY.username}:${CANARY.password}`).toString("base64"),
        },
      },
    });
    expect(refs).toEqual({ secretRef: { name: "podinfo-manifests-auth" } });
  });

  it("keys the registry login by host and port", () => {
    const input = withSource(ociInput, { url: "oci://registry.example.com:5000/team/app" });
    const config: unknown = JSON.parse(decode(renderCredentialSecret(input, CREDENTIALS.https).secret.data)[".dockerconfigjson"] ?? "");
    expect(Object.keys((config as { auths: object }).auths)).toEqual(["registry.example.com:5000"]);
  });

  it("points TLS material at certSecretRef for Helm and OCI sources", () => {
    expect(renderCredentialSecret(helmInput, CREDENTIALS.httpsWithCa).refs).toEqual({
      secretRef: { name: "observability-auth" },
      certSecretRef: { name: "observability-auth" },
    });
    expect(renderCredentialSecret(helmInput, CREDENTIALS.ca).refs).toEqual({ certSecretRef: { name: "observability-auth" } });
    expect(renderCredentialSecret(ociInput, CREDENTIALS.ca).refs).toEqual({ certSecretRef: { name: "podinfo-manifests-auth" } });
  });

  it("refuses a login and a CA in one OCIRepository Secret", () => {
    expect(() => renderCredentialSecret(ociInput, CREDENTIALS.httpsWithCa)).toThrow("An OCIRepository cannot take a login and a CA certificate");
  });
});

describe("credentialSupportProblem", () => {
  const git = (url: string): SourceSpec => ({ ...gitHttpsInput.spec.source, url }) as SourceSpec;
  const supported = (source: SourceSpec, type: CredentialType) => credentialSupportProblem(source, type) === undefined;

  it("matches Git credentials to the URL scheme", () => {
    expect(supported(git("https://github.com/a/b"), "https")).toBe(true);
    expect(supported(git("https://github.com/a/b"), "bearer")).toBe(true);
    expect(supported(git("https://github.com/a/b"), "ca")).toBe(true);
    expect(credentialSupportProblem(git("https://github.com/a/b"), "ssh")).toBe("an SSH key needs an ssh:// repository URL");
    expect(supported(git("ssh://git@github.com/a/b"), "ssh")).toBe(true);
    expect(credentialSupportProblem(git("ssh://git@github.com/a/b"), "https")).toBe("this credential needs an http:// or https:// repository URL");
    expect(credentialSupportProblem(git("http://git.internal/a"), "ca")).toBe("a CA certificate needs an https:// repository URL");
  });

  it("allows logins and CAs for Helm and OCI sources, nothing for Buckets", () => {
    expect(supported(helmInput.spec.source, "https")).toBe(true);
    expect(credentialSupportProblem(helmInput.spec.source, "ssh")).toBe("a HelmRepository accepts a user name and password or a CA certificate, not an SSH key");
    expect(credentialSupportProblem(ociInput.spec.source, "bearer")).toBe("an OCIRepository accepts a user name and password or a CA certificate, not a bearer token");
    const bucket: SourceSpec = { kind: "Bucket", bucketName: "b-1", endpoint: "s3.amazonaws.com", provider: "aws", insecure: false, interval: "10m", timeout: "60s" };
    expect(credentialSupportProblem(bucket, "https")).toBe("Bucket sources do not take stored credentials yet (they need access keys or a cloud identity)");
  });
});
