import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { ADMIN, VIEWER, ensureAdmin, ensureViewer, fleetCluster, registerCluster, signIn } from "./support";

// Unauthenticated load, headers, status codes and the replay of every server action (hardening
// cases 18-21 and 33, issue 11 items 7, 12 and 13), against the real server and its database file.

// Several full sign-ins per test (two portals, an identity provider) on a shared two-core machine.
test.describe.configure({ timeout: 180_000 });

const dbFile = () => path.join(process.env.FLEETLINE_E2E_DIR!, "fleetline.db");
function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbFile(), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

async function signedIn(browser: Browser, user: { email: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, user);
  return page;
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await (await browser.newContext()).newPage();
  await ensureAdmin(page);
  await signIn(page, ADMIN);
  await ensureViewer(page);
  // The dashboard polls only once the fleet has a cluster; this spec may run alone.
  if (query<{ n: number }>("select count(*) as n from clusters")[0]!.n === 0) {
    await registerCluster(page, "hardening-bare", fleetCluster("e2e-bare").kubeconfig, "env=hardening");
  }
  await page.context().close();
});

test("every page carries a fresh CSP nonce, no unsafe-inline scripts, and runs without a CSP violation", async ({ browser, request }) => {
  test.setTimeout(150_000);
  const first = await request.get("/login");
  const second = await request.get("/login");
  const csp = [first.headers()["content-security-policy"] ?? "", second.headers()["content-security-policy"] ?? ""];
  const nonces = csp.map((c) => /script-src[^;]*'nonce-([A-Za-z0-9+/=]+)'/.exec(c)?.[1]);
  expect(nonces[0]).toBeTruthy();
  expect(nonces[1]).toBeTruthy();
  expect(nonces[0]).not.toBe(nonces[1]);
  const scriptSrc = /script-src([^;]*)/.exec(csp[0]!)?.[1] ?? "";
  expect(scriptSrc).toContain("'strict-dynamic'");
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  // The page's own scripts carry that nonce.
  expect(await first.text()).toContain(`nonce="${nonces[0]}"`);
  // Plain http here, so no HSTS (it is sent when NEXTAUTH_URL is https: lib/security/http-policy.test.ts).
  expect(first.headers()["strict-transport-security"]).toBeUndefined();

  const page = await (await browser.newContext()).newPage();
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load)/i.test(m.text())) violations.push(m.text());
  });
  await signIn(page, ADMIN); // the login form is a client component: it works only if its scripts ran
  for (const url of ["/", "/clusters", "/configurations", "/compliance", "/audit", "/settings/users", "/configurations/new"]) {
    await page.goto(url);
    await expect(page.locator("main")).toBeVisible();
  }
  // Client-side navigation and a client-rendered form still work under the policy.
  await page.goto("/configurations/new");
  await page.getByLabel("Name", { exact: true }).fill("csp-check");
  await page.getByRole("button", { name: "Next: Source" }).click();
  await expect(page.getByLabel("URL", { exact: true })).toBeVisible();
  expect(violations).toEqual([]);
});

test("anonymous polling adds at most one audit row per address and minute", async ({ playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  const started = Date.now();
  const before = query<{ n: number }>("select count(*) as n from audit_log")[0]!.n;
  for (let i = 0; i < 40; i++) expect((await anonymous.get("/api/dashboard")).status()).toBe(401);
  const minutes = Math.floor(Date.now() / 60_000) - Math.floor(started / 60_000) + 1;
  const rows = query<{ ip: string; details: string }>("select ip, details from audit_log where action = 'dashboard.read' and actor_email = 'anonymous' and at >= ?", started - 1);
  expect(rows.length).toBeGreaterThanOrEqual(1);
  expect(rows.length).toBeLessThanOrEqual(minutes);
  expect(rows.every((r) => r.ip === "127.0.0.1")).toBe(true);
  expect(query<{ n: number }>("select count(*) as n from audit_log")[0]!.n - before).toBeLessThanOrEqual(minutes);
});

test("a dashboard whose session ends goes to the login page and stops polling", async ({ browser }) => {
  const page = await signedIn(browser, ADMIN);
  const polls: number[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/api/dashboard")) polls.push(Date.now());
  });
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Fleet dashboard" })).toBeVisible();
  await expect.poll(() => polls.length, { timeout: 15_000 }).toBeGreaterThan(0);
  // Expire the session the way the server sees it: its row is gone.
  const db = new Database(dbFile());
  db.prepare("delete from sessions where user_id = (select id from users where email = ? and auth_source = 'local')").run(ADMIN.email);
  db.close();
  await expect(page).toHaveURL(/\/login/, { timeout: 15_000 });
  const pollsAtLogin = polls.length;
  await page.waitForTimeout(11_000); // two polling periods
  expect(polls.length).toBe(pollsAtLogin);
  await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
});

// ---------------------------------------------------------------------------
// Server actions: every one in the build's manifest, each in this maintained table (the test fails
// when the two disagree, so a new action cannot go untested).

const ID = "00000000-0000-4000-8000-000000000000";
type Args = "form" | unknown[];
// args: "form" for useActionState actions (prevState, FormData); else the JSON arguments.
// viewer: what a viewer gets (403 unless the action is the viewer's own business).
const ACTIONS: Record<string, { args: Args; anon?: number; viewer?: number }> = {
  deleteClusterAction: { args: "form" },
  rotateClusterCredentialsAction: { args: "form" },
  setReconcilerAction: { args: "form" },
  updateClusterLabelsAction: { args: "form" },
  checkClusterAction: { args: "form" },
  registerClusterAction: { args: "form" },
  deleteAssignmentAction: { args: "form" },
  updateAssignmentAction: { args: "form" },
  createAssignmentAction: { args: "form" },
  previewConfigurationAction: { args: [{}] },
  saveConfigurationAction: { args: [{}, { message: "replayed" }] },
  deleteConfigurationAction: { args: "form" },
  pushConfigurationAction: { args: [ID] },
  rollbackConfigurationAction: { args: [ID, 1] },
  reconcileNowAction: { args: [ID, ID, false] },
  setSuspendedAction: { args: [ID, true] },
  // Reading is a viewer's right: a refresh of an unknown configuration is answered "not found" (200), nothing changes.
  refreshTabAction: { args: ["commits", ID], viewer: 200 },
  // Every signed-in user may change their own password: a viewer's empty form is invalid (200), not refused.
  changeOwnPasswordAction: { args: "form", viewer: 200 },
  createCredentialAction: { args: "form" },
  deleteCredentialAction: { args: "form" },
  changeUserRoleAction: { args: "form" },
  createUserAction: { args: "form" },
  resetUserPasswordAction: { args: "form" },
  setUserDisabledAction: { args: "form" },
  // First-run setup needs no session; once an admin exists it is gone.
  createFirstAdminAction: { args: "form", anon: 404, viewer: 404 },
};

type ActionEntry = { id: string; name: string; page: string };

function serverActions(): ActionEntry[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(process.cwd(), ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { workers: Record<string, unknown>; exportedName: string }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => {
    const worker = Object.keys(entry.workers).sort()[0]!;
    const page =
      worker
        .replace(/^app/, "")
        .replace(/\/page$/, "")
        .replace(/\/\([^)]+\)/g, "")
        .replace(/\[\.{3}[^\]]+\]|\[[^\]]+\]/g, ID) || "/";
    return { id, name: entry.exportedName, page };
  });
}

// Rows an action could write, fingerprinted; background loops' own tables (health, status) are left out.
const GUARDED_TABLES = ["users", "credentials", "configurations", "configuration_versions", "configuration_targets", "assignments", "app_settings"];
function snapshot(): string {
  const parts = GUARDED_TABLES.map((t) => JSON.stringify(query(`select * from ${t} order by rowid`)));
  parts.push(JSON.stringify(query("select id, name, display_name, labels, server, credentials, reconciler_override from clusters order by id")));
  parts.push(JSON.stringify(query("select count(*) as n from rollouts")));
  return crypto.createHash("sha256").update(parts.join("\n")).digest("hex");
}

/** The body React's client sends: for a form action, field "0" holds [prevState, $K1] and the form's fields are "1_<name>". */
function actionBody(args: Args): { multipart?: Record<string, string>; data?: string; contentType?: string } {
  if (args === "form") return { multipart: { "0": JSON.stringify(["$undefined", "$K1"]), "1_id": ID, "1_email": "replayed@fleetline.test", "1_role": "admin" } };
  return { data: JSON.stringify(args), contentType: "text/plain;charset=UTF-8" };
}

async function postAction(request: APIRequestContext, action: ActionEntry, origin: string) {
  const body = actionBody(ACTIONS[action.name]?.args ?? "form");
  return request.post(action.page, {
    headers: { "next-action": action.id, accept: "text/x-component", origin, ...(body.contentType ? { "content-type": body.contentType } : {}) },
    ...(body.multipart ? { multipart: body.multipart } : { data: body.data }),
    maxRedirects: 0,
  });
}

test("every server action refuses no session (401), a viewer (403) and a foreign origin (403), and changes nothing", async ({ browser, playwright, baseURL }) => {
  test.setTimeout(180_000);
  const actions = serverActions();
  expect(actions.map((a) => a.name).sort()).toEqual(Object.keys(ACTIONS).sort());
  const anonymous = await playwright.request.newContext({ baseURL });
  const viewer = (await signedIn(browser, VIEWER)).context().request;
  const admin = (await signedIn(browser, ADMIN)).context().request;
  const before = snapshot();
  const results: string[] = [];
  for (const action of actions) {
    const expected = ACTIONS[action.name]!;
    const noSession = await postAction(anonymous, action, baseURL!);
    const asViewer = await postAction(viewer, action, baseURL!);
    const crossSite = await postAction(admin, action, "https://evil.example");
    const nullOrigin = await postAction(admin, action, "null");
    results.push(`${action.name}: ${noSession.status()} ${asViewer.status()} ${crossSite.status()} ${nullOrigin.status()}`);
    expect.soft(noSession.status(), `${action.name} without a session`).toBe(expected.anon ?? 401);
    expect.soft(asViewer.status(), `${action.name} as a viewer`).toBe(expected.viewer ?? 403);
    expect.soft(crossSite.status(), `${action.name} from a foreign origin`).toBe(403);
    expect.soft(nullOrigin.status(), `${action.name} from Origin: null`).toBe(403);
  }
  console.log(results.join("\n"));
  expect(snapshot()).toBe(before);
});

test("an oversized server-action body is answered 413 with the limit, not 500", async ({ browser, baseURL }) => {
  const admin = (await signedIn(browser, ADMIN)).context().request;
  const action = serverActions().find((a) => a.name === "createUserAction")!;
  const response = await admin.post(action.page, {
    headers: { "next-action": action.id, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component", origin: baseURL! },
    data: `["${"x".repeat(5 * 1024 * 1024)}"]`,
  });
  expect(response.status()).toBe(413);
  expect(await response.text()).toContain("the limit is 2 MiB");
});
