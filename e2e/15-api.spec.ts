import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, databaseBytes, ensureAdmin, signIn } from "./support";

// Issue 16 §2 in the browser: a personal API token for a pipeline. Created in Settings (shown
// once), it reads /api/v1 with its own role; a bad token is 401; revoked, it stops working; each
// call is in the audit log under the token's name; the database holds only its hash.
test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
});

test("a viewer-role token reads the clusters API, is audited by name, and stops working once revoked", async ({ playwright, baseURL }) => {
  test.setTimeout(120_000);
  await admin.goto("/settings/tokens");
  const form = admin.getByRole("form", { name: "Create an API token" });
  // Refused on the field, nothing created.
  await form.getByLabel("Expires after (days)").fill("400");
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(form.getByRole("alert").filter({ hasText: "at most 365 days" })).toBeVisible();
  await expect(form.getByRole("alert").filter({ hasText: "is required" })).toBeVisible();

  await form.getByLabel("Name").fill("e2e-pipeline");
  await form.getByLabel("Expires after (days)").fill("30");
  await form.getByLabel("Role").selectOption("viewer");
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(form.getByRole("status")).toContainText("Copy it now");
  const token = await form.getByLabel("Your new token (shown once)").inputValue();
  expect(token).toMatch(/^flt_/);
  expect(databaseBytes().includes(token.slice(4))).toBe(false);

  const api = await playwright.request.newContext({ baseURL });
  const call = (value: string) => api.get("/api/v1/clusters?sort=name", { headers: { authorization: `Bearer ${value}` } });
  const ok = await call(token);
  expect(ok.status()).toBe(200);
  const body = (await ok.json()) as { total: number; items: { name: string; health: { state: string } }[] };
  expect(body.total).toBeGreaterThanOrEqual(0);
  expect(Array.isArray(body.items)).toBe(true);
  expect((await call("flt_not-a-real-token")).status()).toBe(401);
  expect((await api.get("/api/v1/clusters")).status()).toBe(401);

  // The OpenAPI document is public; a viewer's token may not push.
  const openapi = await api.get("/api/v1/openapi.json");
  expect(openapi.status()).toBe(200);
  const doc = (await openapi.json()) as { openapi: string; paths: Record<string, unknown> };
  expect(doc.openapi).toBe("3.1.0");
  expect(Object.keys(doc.paths)).toContain("/api/v1/configurations/{id}/push");
  const refused = await api.post("/api/v1/configurations/any/push", { headers: { authorization: `Bearer ${token}` }, data: {} });
  expect(refused.status()).toBe(403);

  // The list shows it with its last use; the audit log names it.
  await admin.goto("/settings/tokens");
  const row = admin.getByRole("row", { name: /e2e-pipeline/ });
  await expect(row).toContainText("viewer");
  await expect(row).not.toContainText("never");
  await admin.goto("/audit");
  await expect(admin.getByText("API: clusters.list with API token e2e-pipeline").first()).toBeVisible();

  await admin.goto("/settings/tokens");
  await row.getByRole("button", { name: "Revoke e2e-pipeline" }).click();
  // The row says so (its Revoke button, and the form's message with it, are gone).
  await expect(row).toContainText(`revoked by ${ADMIN.email}`);
  expect((await call(token)).status()).toBe(401);
  await api.dispose();
});

test("an operator-role token's push names the bad field, and reaches the configuration lookup once valid", async ({ playwright, baseURL }) => {
  await admin.goto("/settings/tokens");
  const form = admin.getByRole("form", { name: "Create an API token" });
  await form.getByLabel("Name").fill("e2e-deployer");
  await form.getByLabel("Expires after (days)").fill("1");
  await form.getByLabel("Role").selectOption("operator");
  await form.getByRole("button", { name: "Create token" }).click();
  const token = await form.getByLabel("Your new token (shown once)").inputValue();
  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  const invalid = await api.post("/api/v1/configurations/no-such-configuration/push", { data: { wait: "forever" } });
  expect(invalid.status()).toBe(422);
  expect(await invalid.json()).toMatchObject({ fieldErrors: { wait: "must be a duration such as 90s, 10m or 1h" } });
  expect((await api.post("/api/v1/configurations/no-such-configuration/push", { data: { wait: "1m" } })).status()).toBe(404);
  await api.dispose();
});
