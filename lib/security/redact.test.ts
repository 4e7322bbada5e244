import { describe, expect, it } from "vitest";
import { REDACTED, redact, redactText } from "./redact";

const CANARY = "canary-Zx9Qv7Lm2Pk4";

describe("redactText", () => {
  it.each([
    [`https://bob:${CANARY}@git.example.com/repo.git`, "https://[redacted]@git.example.com/repo.git"],
    [`Authorization: Bearer ${CANARY}`, `Authorization: Bearer ${REDACTED}`],
    [`password=${CANARY}&user=x`, `password=${REDACTED}&user=x`],
    [`{"token": "${CANARY}"}`, `{"token": ${REDACTED}}`],
  ])("scrubs %s", (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it("removes PEM private keys", () => {
    const pem = `-----BEGIN OPENSSH PRIVATE KEY-----\n${CANARY}\n-----END OPENSSH PRIVATE KEY-----`;
    expect(redactText(`key: ${pem} trailing`)).not.toContain(CANARY);
  });

  it.each([
    ["token-only user info", "fatal: https://ghp_abcdefghijklmnop1234@github.com/acme/fleet.git", "ghp_abcdefghijklmnop1234"],
    ["a password holding a slash", "clone https://bob:pa/ss@git.example.com/x failed", "pa/ss"],
    ["a password holding an @", "clone https://bob:p@ss@git.example.com/x failed", "ss@git"],
    ["a bare classic GitHub token", "token ghp_0123456789abcdefABCDEF0123456789abcd rejected", "ghp_0123456789abcdefABCDEF0123456789abcd"],
    ["a bare fine-grained GitHub token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123"],
    ["a bare GitLab token", "got glpat-AbCdEfGhIjKlMnOpQrSt from the user", "glpat-AbCdEfGhIjKlMnOpQrSt"],
    ["a bare Fleetline API token", "pipeline used flt_q3Vd0yH-8x_Zr2mKp1LwT9sB4nC6fA7eD5gJ0hIkMoN", "flt_q3Vd0yH-8x_Zr2mKp1LwT9sB4nC6fA7eD5gJ0hIkMoN"],
    ["an EKS token", "Unauthorized for k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9u", "k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9u"],
    ["a JWT", "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl was refused", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl"],
  ])("scrubs %s", (_, input, secret) => {
    const out = redactText(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it("keeps an ssh user name and ordinary URLs readable", () => {
    expect(redactText("ssh://git@github.com/acme/fleet.git")).toBe("ssh://git@github.com/acme/fleet.git");
    expect(redactText("https://github.com/acme/fleet.git")).toBe("https://github.com/acme/fleet.git");
  });

  it("leaves ordinary text alone", () => {
    expect(redactText("pushed version 3 to cluster prod-eu-1")).toBe("pushed version 3 to cluster prod-eu-1");
  });
});

describe("redact", () => {
  it("replaces values under secret-looking keys at any depth", () => {
    const out = redact({
      name: "prod",
      credential: { username: "bob", password: CANARY },
      nested: [{ bearerToken: CANARY }, { kubeconfig: CANARY }],
      note: `clone https://u:${CANARY}@h/r.git`,
    });
    expect(JSON.stringify(out)).not.toContain(CANARY);
    expect(out.name).toBe("prod");
  });
});
