import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { closeContexts } from "./support";

// The second portal Playwright starts ("guarded", see playwright.config.ts): single sign-on
// against a real OpenID provider (oidc-provider on loopback), then login floods that lock its
// address, which the main portal's tests must never suffer.

const guarded = `http://127.0.0.1:${process.env.FLEETLINE_E2E_GUARDED_PORT}`;
const LOCAL_ADMIN = { email: "boss@guarded.test", password: "guarded-admin-Pa55word" };
// Several full sign-ins per test (two portals, an identity provider) on a shared two-core machine.
test.describe.configure({ timeout: 180_000 });
// Each test signs in its own contexts; none may outlive it (a dashboard left open keeps polling).
test.afterEach(({ browser }) => closeContexts(browser));

const dbFile = () => path.join(process.env.FLEETLINE_E2E_DIR!, "guarded", "fleetline.db");
function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbFile(), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: guarded });
  // The provider's development login page links a web font; there is no internet here.
  await context.route(/fonts\.googleapis\.com/, (route) => route.abort());
  return context.newPage();
}

/** Clicks the SSO button and signs in at the identity provider as `login` (its dev login accepts any password). */
async function ssoSignIn(page: Page, login: string) {
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in with Test IdP" }).click();
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("any-password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  const consent = page.getByRole("button", { name: "Continue" });
  // The provider asks for consent the first time a user meets this client.
  await Promise.race([consent.waitFor({ timeout: 10_000 }).then(() => consent.click()), page.waitForURL(`${guarded}/**`, { timeout: 10_000 })]).catch(() => undefined);
  await page.waitForURL(`${guarded}/**`);
}

async function localSignIn(page: Page, user: { email: string; password: string }) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

test("an IdP user in a mapped group signs in with that role, and signing out ends the session", async ({ browser }) => {
  const page = await freshPage(browser);
  await ssoSignIn(page, "alice-admin");
  await expect(page.getByRole("heading", { name: "Fleet dashboard" })).toBeVisible();
  await expect(page.getByLabel("Role: admin")).toBeVisible();
  const [row] = query<{ role: string; oidc_issuer: string; oidc_subject: string; auth_source: string }>("select role, oidc_issuer, oidc_subject, auth_source from users where email = 'alice@idp.test'");
  expect(row).toEqual({ role: "admin", oidc_issuer: `http://127.0.0.1:${process.env.FLEETLINE_E2E_OIDC_PORT}`, oidc_subject: "alice-admin", auth_source: "oidc" });

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  const open = query<{ n: number }>("select count(*) as n from sessions s join users u on u.id = s.user_id where u.email = 'alice@idp.test' and s.revoked_at is null");
  expect(open[0]!.n).toBe(0);
});

test("an allowed group that maps to no role gives a viewer", async ({ browser }) => {
  const page = await freshPage(browser);
  await ssoSignIn(page, "rita-reader");
  await expect(page.getByLabel("Role: viewer")).toBeVisible();
});

test("a group outside the allow-list and an unverified email are refused, and nobody is created", async ({ browser }) => {
  for (const login of ["carl-contractor", "una-unverified"]) {
    const page = await freshPage(browser);
    await ssoSignIn(page, login);
    await expect(page).toHaveURL(/\/login\?error=AccessDenied/);
    await expect(page.locator("p[role=alert]")).toContainText("Single sign-on refused");
    await page.goto("/");
    await expect(page).toHaveURL(/\/login/);
  }
  expect(query("select id from users where email in ('carl@idp.test', 'una@idp.test')")).toEqual([]);
  const reasons = query<{ details: string }>("select details from audit_log where action = 'auth.login' and outcome = 'denied' and actor_email in ('carl@idp.test', 'una@idp.test')").map((r) => JSON.parse(r.details).reason);
  expect(reasons).toEqual(expect.arrayContaining(["the email is not verified by the identity provider", "none of the user's groups is in FLEETLINE_OIDC_ALLOWED_GROUPS"]));
});

test("an IdP user claiming a local admin's email becomes a separate viewer, not that admin", async ({ browser }) => {
  const page = await freshPage(browser);
  await ssoSignIn(page, "mallory-lookalike");
  await expect(page.getByRole("heading", { name: "Fleet dashboard" })).toBeVisible();
  await expect(page.getByLabel("Role: viewer")).toBeVisible();
  const rows = query<{ role: string; auth_source: string }>("select role, auth_source from users where email = ? order by auth_source", LOCAL_ADMIN.email);
  expect(rows).toEqual([
    { role: "admin", auth_source: "local" },
    { role: "viewer", auth_source: "oidc" },
  ]);
  // The local admin still signs in with the password and is still admin.
  const admin = await freshPage(browser);
  await localSignIn(admin, LOCAL_ADMIN);
  await expect(admin.getByLabel("Role: admin")).toBeVisible();
});

// ---------------------------------------------------------------------------
// Login floods. These lock 127.0.0.1 on this portal for 15 minutes: they run last.

async function credentialsAttempt(email: string, password: string, extraHeaders: Record<string, string> = {}): Promise<string> {
  // next-auth's own endpoints, as its client calls them: a CSRF token, then the credentials callback.
  const csrf = await fetch(`${guarded}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const response = await fetch(`${guarded}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, ...extraHeaders },
    body: new URLSearchParams({ email, password, csrfToken, json: "true" }),
    redirect: "manual",
  });
  const location = response.headers.get("location") ?? ((await response.json().catch(() => ({}))) as { url?: string }).url ?? "";
  return new URL(location, guarded).searchParams.get("error") ?? "ok";
}

test("20 parallel wrong passwords for one account: at most 5 are checked, the rest are refused unchecked", async () => {
  const email = "flood-target@guarded.test";
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => credentialsAttempt(email, `wrong-guess-${i}`)));
  const failed = query<{ n: number }>("select count(*) as n from audit_log where action = 'auth.login' and outcome = 'failed' and target_id = ?", email)[0]!.n;
  expect(failed).toBeLessThanOrEqual(5);
  expect(results.filter((r) => r === "Wrong email or password.").length).toBeLessThanOrEqual(5);
  expect(results.filter((r) => r.startsWith("Too many failed attempts")).length).toBeGreaterThanOrEqual(15);
});

test("a rotating X-Forwarded-For opens no new address buckets", async () => {
  const results: string[] = [];
  for (let i = 0; i < 25; i++) {
    results.push(await credentialsAttempt(`rotating-${i}@guarded.test`, "wrong-guess", { "x-forwarded-for": `10.77.${i}.1` }));
  }
  // The address bucket (20 per 15 minutes, 5 already spent above) fills and refuses the rest.
  expect(results.at(-1)).toMatch(/^Too many failed attempts/);
  const failedFromAddress = query<{ n: number }>("select count(*) as n from audit_log where action = 'auth.login' and outcome = 'failed' and ip = '127.0.0.1'")[0]!.n;
  expect(failedFromAddress).toBeLessThanOrEqual(20);
  expect(query("select ip from audit_log where ip like '10.77.%'")).toEqual([]);
});
