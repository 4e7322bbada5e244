import { expect, test, type Page } from "@playwright/test";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { generateKey } from "openpgp";
import { ADMIN, closeContexts, databaseBytes, ensureAdmin, fleet, fleetCluster, kubeGet, registerCluster, signIn } from "./support";

// Issue 18 §3 in the browser: keys as credentials. An admin stores a PGP key set and a SOPS age
// key; the wizard verifies the Git source's commits with the one and decrypts a Kustomization's
// files with the other; Review shows where they go without the private key; the push writes the
// key into the cluster's Secret, and nowhere else.
test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;
let identity = "";
// Issue 16: a Flux alert's webhook address is a credential too, entered once and never shown again.
const HOOK = "https://hooks.slack.com/services/T0/B0/canary-e2e-hook-5c1d";

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
  await registerCluster(admin, "keys-1", fleetCluster("e2e-1").kubeconfig, "fleet=keys");
});

test("an admin stores PGP public keys and a SOPS age key; the page shows the recipient, never the key", async () => {
  const pgp = await generateKey({ type: "ecc", curve: "curve25519Legacy", userIDs: [{ email: "release@fleetline.test" }], format: "armored" });
  identity = await generateIdentity();
  await admin.goto("/settings/credentials");
  const form = admin.getByRole("region", { name: "Create credential" });

  await form.getByLabel("Type").selectOption("pgp");
  await expect(form.getByLabel("Host", { exact: true })).toHaveCount(0);
  await form.getByLabel("Name", { exact: true }).fill("release-signers");
  await form.getByLabel("PGP public keys (armored)").fill(pgp.privateKey);
  await form.getByRole("button", { name: "Create credential" }).click();
  await expect(form.getByText("holds a private key")).toBeVisible();
  await form.getByLabel("PGP public keys (armored)").fill(pgp.publicKey);
  await form.getByRole("button", { name: "Create credential" }).click();
  await expect(form.getByRole("status")).toContainText("Created credential release-signers");

  await form.getByLabel("Type").selectOption("sops");
  await form.getByLabel("Name", { exact: true }).fill("team-age");
  await form.getByLabel("Private key").fill(identity);
  await form.getByRole("button", { name: "Create credential" }).click();
  await expect(form.getByRole("status")).toContainText("Created credential team-age");
  await expect(form.getByTestId("key-identity")).toContainText(await identityToRecipient(identity));
  await expect(admin.getByRole("row", { name: /team-age/ })).toContainText("none (a key)");
  expect(await admin.content()).not.toContain(identity);
  expect(databaseBytes().toString("latin1")).not.toContain(identity.slice(16));

  await form.getByLabel("Type").selectOption("webhook");
  await form.getByLabel("Name", { exact: true }).fill("team-slack");
  await expect(form.getByLabel("Webhook address")).toHaveAttribute("type", "password");
  await form.getByLabel("Webhook address").fill(HOOK);
  await form.getByRole("button", { name: "Create credential" }).click();
  await expect(form.getByRole("status")).toContainText("Created credential team-slack");
  await expect(admin.getByRole("row", { name: /team-slack/ })).toContainText("hooks.slack.com");
  expect(await admin.content()).not.toContain("canary-e2e-hook");
  expect(databaseBytes().toString("latin1")).not.toContain("canary-e2e-hook");
});

test("the wizard verifies the source and decrypts with the keys; Review and the cluster get them in Flux's layout", async () => {
  test.setTimeout(120_000);
  await admin.goto("/configurations/new");
  await admin.getByLabel("Name", { exact: true }).fill("sealed-app");
  await admin.getByRole("button", { name: "Next: Source" }).click();
  await admin.getByLabel("URL", { exact: true }).fill(fleet().git!.repoUrl);
  await admin.getByLabel("Verify signatures").selectOption("Tag");
  await admin.getByRole("button", { name: /^Next: Kustomizations/ }).click();
  // A tag check on a branch is refused with the reason, on the field.
  await expect(admin.getByText(/Verify signatures: Tag needs a tag or semver reference/)).toBeVisible();
  await admin.getByLabel("Verify signatures").selectOption("HEAD");
  await admin.getByLabel("Signing keys").selectOption({ label: "release-signers" });
  await admin.getByRole("button", { name: /^Next: Kustomizations/ }).click();

  const card = admin.getByRole("group", { name: /^Kustomization 1/ });
  await card.getByLabel("Path", { exact: true }).fill("./apps/podinfo");
  await card.getByText("More Flux fields").click();
  await card.getByLabel("Decrypt SOPS files").check();
  await card.getByLabel("Decryption key").selectOption({ label: "team-age" });
  await admin.getByRole("button", { name: "Add provider" }).click();
  const provider = admin.getByRole("group", { name: /^Provider 1/ });
  await provider.getByLabel("Name", { exact: true }).fill("slack");
  await provider.getByLabel("Webhook credential").selectOption({ label: "team-slack (hooks.slack.com)" });
  await provider.getByLabel("Channel").fill("fleet");
  await admin.getByRole("button", { name: "Add alert" }).click();
  await admin.getByRole("group", { name: /^Alert 1/ }).getByLabel("Name", { exact: true }).fill("failures");
  await admin.getByRole("button", { name: "Next: Targets" }).click();
  await admin.getByLabel("Match labels").fill("fleet=keys");
  await admin.getByRole("button", { name: "Next: Rollout" }).click();
  await admin.getByRole("button", { name: "Next: Review" }).click();

  const yaml = admin.getByTestId("rendered-yaml");
  await expect(yaml).toBeVisible({ timeout: 30_000 });
  await expect(yaml).toContainText("name: sealed-app-verify");
  await expect(yaml).toContainText("identity.agekey");
  await expect(yaml).toContainText("mode: HEAD");
  await expect(yaml).toContainText("name: sealed-app-sops");
  await expect(yaml).not.toContainText(identity);
  await expect(yaml).toContainText("kind: Provider");
  await expect(yaml).toContainText("name: sealed-app-slack-notify");
  await expect(yaml).toContainText("kind: Alert");
  await expect(yaml).not.toContainText("canary-e2e-hook");
  await admin.getByRole("button", { name: "Create configuration" }).click();
  await expect(admin).toHaveURL(/\/configurations\/[0-9a-f-]{36}\?rollout=/, { timeout: 30_000 });
  await expect(admin.getByRole("status").filter({ hasText: "1 of 1 done" })).toBeVisible({ timeout: 60_000 });

  const secret = await kubeGet<{ data: Record<string, string> }>(fleetCluster("e2e-1"), "/api/v1/namespaces/flux-system/secrets/sealed-app-sops");
  expect(typeof secret === "object" && Buffer.from(secret.data["identity.agekey"] ?? "", "base64").toString("utf8")).toBe(`${identity}\n`);
  const kustomization = await kubeGet<{ spec: { decryption?: unknown } }>(fleetCluster("e2e-1"), "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/sealed-app-apps");
  expect(typeof kustomization === "object" && kustomization.spec.decryption).toEqual({ provider: "sops", secretRef: { name: "sealed-app-sops" } });
  const alert = await kubeGet<{ spec: object }>(fleetCluster("e2e-1"), "/apis/notification.toolkit.fluxcd.io/v1beta3/namespaces/flux-system/alerts/sealed-app-failures");
  expect(typeof alert === "object" && alert.spec).toMatchObject({ providerRef: { name: "sealed-app-slack" }, eventSeverity: "error", eventSources: [{ kind: "GitRepository", name: "sealed-app", namespace: "flux-system" }, { kind: "Kustomization", name: "sealed-app-apps", namespace: "flux-system" }] });
  const hook = await kubeGet<{ data: Record<string, string> }>(fleetCluster("e2e-1"), "/api/v1/namespaces/flux-system/secrets/sealed-app-slack-notify");
  expect(typeof hook === "object" && Buffer.from(hook.data.address ?? "", "base64").toString("utf8")).toBe(HOOK);
});
