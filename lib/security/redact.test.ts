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
