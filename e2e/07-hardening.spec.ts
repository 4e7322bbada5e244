import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { ADMIN, closeContexts, databaseBytes, ensureAdmin, ensureViewer, fleet, fleetCluster, registerCluster, signIn, submitRegistration, VIEWER } from "./support";

// Unauthenticated load, headers, status codes and the replay of every server action (hardening
// cases 18-21 and 33, issue 11 items 7, 12 and 13), against the real server and its database file.

// Several full sign-ins per test (two portals, an identity provider) on a shared two-core machine.
test.describe.configure({ timeout: 180_000 });
// Each test signs in its own contexts; none may outlive it (a dashboard left open keeps polling).
test.afterEach(({ browser }) => closeContexts(browser));

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
  rolloutControlAction: { args: "form" },
  rotateClusterCredentialsAction: { args: "form" },
  setReconcilerAction: { args: "form" },
  updateClusterLabelsAction: { args: "form" },
  checkClusterAction: { args: "form" },
  registerClusterAction: { args: "form" },
  deleteAssignmentAction: { args: "form" },
  createWindowAction: { args: "form" },
  deleteWindowAction: { args: "form" },
  createNotificationChannelAction: { args: "form" },
  deleteNotificationChannelAction: { args: "form" },
  testNotificationChannelAction: { args: "form" },
  createNotificationRuleAction: { args: "form" },
  deleteNotificationRuleAction: { args: "form" },
  overrideWindowsAction: { args: "form" },
  updateAssignmentAction: { args: "form" },
  createAssignmentAction: { args: "form" },
  requestWaiverAction: { args: "form" },
  decideWaiverAction: { args: "form" },
  // Every signed-in user may hold API tokens: a viewer's replayed form is invalid (200), nothing is written.
  createTokenAction: { args: "form", viewer: 200 },
  revokeTokenAction: { args: "form", viewer: 200 },
  previewConfigurationAction: { args: [{}] },
  saveConfigurationAction: { args: [{}, { message: "replayed" }] },
  saveOverridesAction: { args: [ID, [], "replayed"] },
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
const GUARDED_TABLES = ["users", "credentials", "configurations", "configuration_versions", "configuration_targets", "assignments", "app_settings", "policy_waivers", "api_tokens", "notification_channels", "notification_rules", "notification_deliveries"];
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

// Bodies React's client never sends, for the actions that take a form: no arguments, a number, an
// array, an object where the FormData belongs. Reading them before the session check threw (500).
const MALFORMED_FORM_BODIES = ["[]", '["$undefined",7]', '["$undefined",[1,2]]', '["$undefined",{"id":"x"}]', "[null,null]"];

test("form actions answer malformed bodies like any other: 401 without a session, 403 for a viewer, never 500", async ({ browser, playwright, baseURL }) => {
  const formActions = serverActions().filter((a) => ACTIONS[a.name]?.args === "form");
  expect(formActions.length).toBeGreaterThan(15);
  const anonymous = await playwright.request.newContext({ baseURL });
  const viewer = (await signedIn(browser, VIEWER)).context().request;
  const before = snapshot();
  const wrong: string[] = [];
  for (const action of formActions) {
    const expected = ACTIONS[action.name]!;
    for (const data of MALFORMED_FORM_BODIES) {
      for (const [who, request, status] of [["anonymous", anonymous, expected.anon ?? 401], ["viewer", viewer, expected.viewer ?? 403]] as const) {
        const response = await request.post(action.page, {
          headers: { "next-action": action.id, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component", origin: baseURL! },
          data,
          maxRedirects: 0,
        });
        if (response.status() !== status) wrong.push(`${action.name} ${who} ${data}: ${response.status()} (expected ${status})`);
      }
    }
  }
  expect(wrong).toEqual([]);
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

// ---------------------------------------------------------------------------
// Canary secrets (hardening cases 22-24, issue 11 item 10): a Git token, a cluster bearer token and
// an SSH private key, each typed into the real forms and used for real (the token registers a
// cluster, the Git token fetches a private repository and is pushed to that cluster as a Secret),
// then looked for in every byte the portal handed out or kept.

/** An ed25519 key as a PEM private key, its secret body line, and a known_hosts line for `host`. */
function sshCanary(host: string) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const body = pem.split("\n").find((line) => line && !line.startsWith("-----"))!;
  const raw = publicKey.export({ type: "spki", format: "der" }).subarray(-32);
  // The SSH wire format: each field is a 4-byte big-endian length, then its bytes.
  const field = (b: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return Buffer.concat([length, b]);
  };
  const blob = Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]).toString("base64");
  return { pem, body, knownHosts: `${host} ssh-ed25519 ${blob}` };
}

/** Each secret as typed and as a Kubernetes Secret or a careless log would carry it (base64). */
function needles(secrets: Record<string, string>): [string, string][] {
  return Object.entries(secrets).flatMap(([name, value]) => [
    [name, value],
    [`${name} (base64)`, Buffer.from(value).toString("base64")],
  ]);
}

function leaks(where: string, text: string, secrets: [string, string][]): string[] {
  return secrets.filter(([, value]) => text.includes(value)).map(([name]) => `${name} in ${where}`);
}

test("a Git token, a cluster token and an SSH key entered in the forms never leave the server in clear, and the database holds them sealed", async ({ browser }) => {
  // A long walk (three forms, a push, 25 page loads) on a shared two-core machine.
  test.setTimeout(600_000);
  const git = fleet().git!;
  const cluster = fleetCluster("e2e-1");
  const ssh = sshCanary("git.canary.test");
  const gitToken = git.privateAuth.password;
  const secrets = needles({ "git token": gitToken, "cluster token": cluster.adminToken, "ssh key": ssh.body });
  secrets.push(["ssh key (whole PEM, base64)", Buffer.from(ssh.pem).toString("base64")]);

  // Every response body the two browsers receive: pages, RSC payloads, action results, API answers.
  const bodies: Promise<string>[] = [];
  const watch = (page: Page) =>
    page.on("response", (r) => {
      bodies.push(r.text().then((t) => `${r.request().method()} ${r.url()}\n${t}`, () => ""));
    });
  const admin = await (await browser.newContext()).newPage();
  watch(admin);
  await signIn(admin, ADMIN);

  // 1. The credentials, through the credentials form.
  await admin.goto("/settings/credentials");
  const form = admin.getByRole("region", { name: "Create credential" });
  await form.getByLabel("Type").selectOption("https");
  await form.getByLabel("Name", { exact: true }).fill("canary-git");
  await form.getByLabel("Host", { exact: true }).fill(new URL(git.privateRepoUrl).hostname);
  await form.getByLabel("Username").fill(git.privateAuth.username);
  await form.getByLabel("Password or token").fill(gitToken);
  await form.getByRole("button", { name: "Create credential" }).click();
  await expect(form.getByRole("status")).toContainText("Created credential canary-git");
  await form.getByLabel("Type").selectOption("ssh");
  await form.getByLabel("Name", { exact: true }).fill("canary-ssh");
  await form.getByLabel("Host", { exact: true }).fill("git.canary.test");
  await form.getByLabel("Private key (optional)").fill(ssh.pem);
  await form.getByLabel("known_hosts").fill(ssh.knownHosts);
  await form.getByRole("button", { name: "Create credential" }).click();
  await expect(form.getByRole("status")).toContainText("Created credential canary-ssh");
  // A refused form with the secret in it: the error must not echo it.
  await form.getByLabel("Type").selectOption("bearer");
  await form.getByLabel("Name", { exact: true }).fill("Canary_Bad");
  await form.getByLabel("Host", { exact: true }).fill("git.canary.test");
  await form.getByLabel("Token").fill(cluster.adminToken);
  await form.getByRole("button", { name: "Create credential" }).click();
  await expect(form.getByRole("alert").first()).toBeVisible();

  // 2. A cluster registered by API server URL and bearer token; first refused (a bad name), then saved.
  await admin.goto("/clusters/new");
  await admin.getByLabel("Name", { exact: true }).fill("Canary_Token");
  await admin.getByLabel("Labels").fill("canary=yes");
  await admin.getByLabel("API server URL and token").check();
  await admin.getByLabel("API server URL", { exact: true }).fill(cluster.server);
  await admin.getByLabel("Bearer token").fill(cluster.adminToken);
  await admin.getByLabel("CA bundle (PEM, optional)").fill(cluster.caData);
  await admin.getByRole("button", { name: "Register cluster" }).click();
  await expect(admin.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await admin.getByLabel("Name", { exact: true }).fill("canary-token");
  await submitRegistration(admin, "canary-token");
  const clusterPath = new URL(admin.url()).pathname;

  // 3. A configuration from the private repository with the Git credential, reviewed and pushed.
  await admin.goto("/configurations/new");
  await admin.getByLabel("Name", { exact: true }).fill("canary-config");
  await admin.getByRole("button", { name: "Next: Source" }).click();
  await admin.getByLabel("URL", { exact: true }).fill(git.privateRepoUrl);
  await admin.getByLabel("Credential").selectOption({ label: `canary-git (https, ${new URL(git.privateRepoUrl).hostname})` });
  await admin.getByRole("button", { name: /^Next: Kustomizations/ }).click();
  const first = admin.getByRole("group", { name: /^Kustomization 1/ });
  await first.getByLabel("Name", { exact: true }).fill("infra");
  await first.getByLabel("Path", { exact: true }).fill("./infrastructure");
  await admin.getByRole("button", { name: "Next: Targets" }).click();
  await admin.getByLabel("Match labels").fill("canary=yes");
  await admin.getByRole("button", { name: "Next: Rollout" }).click();
  await admin.getByRole("button", { name: "Next: Review" }).click();
  await expect(admin.getByTestId("rendered-yaml")).toContainText("(masked)", { timeout: 30_000 });
  await admin.getByRole("button", { name: "Create configuration" }).click();
  await expect(admin).toHaveURL(/\/configurations\/[0-9a-f-]{36}\?rollout=/, { timeout: 30_000 });
  const configurationPath = new URL(admin.url()).pathname;
  const rolloutId = new URL(admin.url()).searchParams.get("rollout")!;
  await expect(admin.getByRole("region", { name: /^Push of v1/ }).getByRole("cell", { name: "applied" })).toHaveCount(1, { timeout: 60_000 });

  // 4. Every page and tab that shows them, as the admin and as a viewer.
  const viewer = await (await browser.newContext()).newPage();
  watch(viewer);
  await signIn(viewer, VIEWER);
  const pages = [
    "/", "/clusters", clusterPath, `${clusterPath}?tab=objects`, `${clusterPath}?tab=labels`, `${clusterPath}?tab=credentials`,
    "/configurations", configurationPath, `${configurationPath}?tab=drift`, `${configurationPath}?tab=commits`, `${configurationPath}?tab=versions`,
    `${configurationPath}?tab=yaml`, `${configurationPath}?tab=edit`, "/settings/credentials", "/audit", "/compliance", "/settings/users",
  ];
  // The viewer: what a viewer may open of the same (its refusals are covered by the replay table).
  const viewerPages = ["/", clusterPath, `${clusterPath}?tab=objects`, configurationPath, `${configurationPath}?tab=versions`, `${configurationPath}?tab=yaml`, "/compliance"];
  for (const [page, urls] of [[admin, pages], [viewer, viewerPages]] as const) {
    for (const url of urls) {
      await page.goto(url);
      await expect(page.locator("main")).toBeVisible();
    }
  }
  // The Commits tab fetched with the Git token: it lists the private repository's commits.
  await admin.goto(`${configurationPath}?tab=commits`);
  await expect(admin.getByRole("table").first()).toBeVisible({ timeout: 30_000 });

  // 5. API answers and exports, as the admin sees them.
  const id = configurationPath.split("/").pop()!;
  for (const url of ["/api/dashboard", "/api/health", `/api/configurations/${id}/yaml?version=1`, `/api/rollouts/${rolloutId}`, "/api/audit/export", "/api/compliance/export?format=csv", "/api/compliance/export?format=json"]) {
    const response = await admin.context().request.get(url);
    expect(response.status(), url).toBe(200);
    bodies.push(Promise.resolve(`GET ${url}\n${await response.text()}`));
  }

  const found: string[] = [];
  for (const body of await Promise.all(bodies)) found.push(...leaks(body.slice(0, body.indexOf("\n")), body, secrets));
  // 6. What the server printed, and the database file with its write-ahead log.
  const serverLog = fs.readFileSync(path.join(process.env.FLEETLINE_E2E_DIR!, "server.log"), "utf8");
  expect(serverLog).toContain("fleetline listening");
  found.push(...leaks("the server log", serverLog, secrets));
  found.push(...leaks("the database file", databaseBytes().toString("latin1"), secrets));
  expect(found).toEqual([]);
  // Sealed, not absent: the rows exist and hold ciphertext.
  const sealed = query<{ name: string; n: number }>("select name, length(sealed) as n from credentials where name in ('canary-git', 'canary-ssh') order by name");
  expect(sealed.map((r) => r.name)).toEqual(["canary-git", "canary-ssh"]);
  expect(sealed.every((r) => r.n > 16)).toBe(true);
  const clusterRow = query<{ n: number }>("select length(credentials) as n from clusters where name = 'canary-token'");
  expect(clusterRow[0]?.n ?? 0).toBeGreaterThan(16);
});

// ---------------------------------------------------------------------------
// Hardening case 17: a cluster offline for days gets a stale badge with its last-seen time, one
// never reached says so, and a portal whose observation loop is not running says that on every page.

test("a cluster never reached is badged so, one offline for days shows a stale badge with its last-seen time", async ({ browser }) => {
  const admin = await signedIn(browser, ADMIN);
  const prod = fleetCluster("e2e-1");
  await admin.goto("/clusters/new");
  await admin.getByLabel("Name", { exact: true }).fill("stale-days");
  await admin.getByLabel("Labels").fill("env=stale");
  await admin.getByLabel("API server URL and token").check();
  // A loopback port nobody listens on: it never answers. Each test its own port: a server
  // already registered (02-clusters uses :9) asks for a confirmation first.
  await admin.getByLabel("API server URL", { exact: true }).fill("https://127.0.0.1:7");
  await admin.getByLabel("Bearer token").fill(prod.adminToken);
  await admin.getByLabel("CA bundle (PEM, optional)").fill(prod.caData);
  await admin.getByRole("button", { name: "Register cluster" }).click();
  await admin.getByRole("button", { name: "Save anyway as unreachable" }).click();
  await expect(admin.getByRole("heading", { name: "stale-days" })).toBeVisible({ timeout: 30_000 });
  await expect(admin.getByText("Never reached")).toBeVisible({ timeout: 30_000 });

  // It answered once, three days ago (the database is where the portal keeps that), and not since.
  const clusterId = query<{ id: string }>("select id from clusters where name = 'stale-days'")[0]!.id;
  const db = new Database(dbFile());
  db.prepare("update cluster_health set last_seen_at = ? where cluster_id = ?").run(Date.now() - 3 * 24 * 3600_000, clusterId);
  db.close();
  await admin.goto("/clusters?q=stale-days");
  const row = admin.getByRole("row").filter({ hasText: "stale-days" });
  await expect(row.getByText("Stale: last seen 3 days ago")).toBeVisible();
  await expect(row.getByText("Never reached")).toHaveCount(0);
  await admin.goto(`/clusters/${clusterId}`);
  await expect(admin.getByText("Stale: last seen 3 days ago")).toBeVisible();
  // A cluster that answers gets neither badge.
  await admin.goto("/clusters?q=hardening-bare");
  await expect(admin.getByRole("row").filter({ hasText: "hardening-bare" }).getByText(/Stale|Never reached/)).toHaveCount(0);
  // This portal's loop runs: no banner.
  await expect(admin.getByRole("region", { name: "Observation stopped" })).toHaveCount(0);
});

test("a portal without a running observation loop says so on every page", async ({ browser }) => {
  // The guarded portal runs with FLEETLINE_BACKGROUND=off (playwright.config.ts).
  const context = await browser.newContext({ baseURL: `http://127.0.0.1:${process.env.FLEETLINE_E2E_GUARDED_PORT}` });
  const page = await context.newPage();
  await signIn(page, { email: "boss@guarded.test", password: "guarded-admin-Pa55word" });
  for (const url of ["/", "/clusters", "/configurations"]) {
    await page.goto(url);
    await expect(page.getByRole("region", { name: "Observation stopped" })).toContainText("not being refreshed");
    await expect(page.getByRole("region", { name: "Observation stopped" })).toContainText("FLEETLINE_BACKGROUND=off");
  }
  await context.close();
});

// ---------------------------------------------------------------------------
// Hardening case 9 through the wizard and its real server actions: a 5 MiB values file is refused
// with the field and the limit named, in the browser and by the server, and nothing is written.

test("a 5 MiB Helm values file is refused with the field and limit named, by the wizard and by its server actions, and nothing is written", async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  const admin = await signedIn(browser, ADMIN);
  await admin.goto("/configurations/new");
  await admin.getByLabel("Name", { exact: true }).fill("big-values");
  await admin.getByRole("button", { name: "Next: Source" }).click();
  await admin.getByLabel("URL", { exact: true }).fill(fleet().git!.repoUrl);
  await admin.getByRole("button", { name: /^Next: Kustomizations/ }).click();
  const kustomization = admin.getByRole("group", { name: /^Kustomization 1/ });
  await kustomization.getByLabel("Name", { exact: true }).fill("infra");
  await kustomization.getByLabel("Path", { exact: true }).fill("./infrastructure");
  await admin.getByRole("button", { name: "Add Helm release" }).click();
  const release = admin.getByRole("group", { name: /^Helm release 1/ });
  await release.getByLabel("Name", { exact: true }).fill("app");
  await release.getByLabel("Chart", { exact: true }).fill("./charts/app");
  const values = release.getByLabel("Values (YAML)");

  // In the browser: the step refuses it by its label and limit, and sends nothing.
  const actionPosts: string[] = [];
  admin.on("request", (r) => {
    if (r.method() === "POST" && r.headers()["next-action"]) actionPosts.push(r.url());
  });
  await values.fill(`replicaCount: 2\nblob: "${"x".repeat(5 * 1024 * 1024)}"\n`);
  await admin.getByRole("button", { name: "Next: Targets" }).click();
  await expect(release.getByText(/Values \(YAML\): must be at most 512(\.0)? KiB/)).toBeVisible();
  // The step's alert names the field by its label, not its path (it said "helmReleases.0.values").
  await expect(admin.getByRole("alert").filter({ hasText: "Fix 1 field before going on: Helm release 1 values (YAML)." })).toBeVisible();
  expect(actionPosts).toEqual([]);

  // A small values file goes through, and the Review step's real request is the one replayed below.
  await values.fill("replicaCount: 2\n");
  await admin.getByRole("button", { name: "Next: Targets" }).click();
  await admin.getByLabel("Match labels").fill("env=nowhere");
  await admin.getByRole("button", { name: "Next: Rollout" }).click();
  const [preview] = await Promise.all([
    admin.waitForRequest((r) => r.method() === "POST" && Boolean(r.headers()["next-action"])),
    admin.getByRole("button", { name: "Next: Review" }).click(),
  ]);
  const spec = (JSON.parse(preview.postData()!) as [Record<string, unknown> & { helmReleases: { values?: string }[] }])[0];
  // One id per action, whichever page posts it; the wizard page posts this one.
  const saveAction = serverActions().find((a) => a.name === "saveConfigurationAction")!;
  const post = (actionId: string, args: unknown[]) =>
    admin.context().request.post("/configurations/new", {
      headers: { "next-action": actionId, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component", origin: baseURL! },
      data: JSON.stringify(args),
    });
  const before = snapshot();

  // Past the request limit: 413, naming the limit, for both of the wizard's actions.
  const huge = { ...spec, helmReleases: [{ ...spec.helmReleases[0], values: `blob: "${"x".repeat(5 * 1024 * 1024)}"\n` }] };
  for (const [actionId, args] of [[preview.headers()["next-action"]!, [huge]], [saveAction.id, [huge, { message: "big" }]]] as const) {
    const response = await post(actionId, [...args]);
    expect(response.status()).toBe(413);
    expect(await response.text()).toContain("the limit is 2 MiB");
  }

  // Under the request limit but over the field's: the save action itself refuses, naming the field and its limit.
  const big = { ...spec, helmReleases: [{ ...spec.helmReleases[0], values: `blob: "${"x".repeat(700 * 1024)}"\n` }] };
  const refused = await post(saveAction.id, [big, { message: "big" }]);
  expect(refused.status()).toBe(200);
  const answer = await refused.text();
  expect(answer).toContain('"status":"invalid"');
  expect(answer).toContain("Helm release 1 values");
  expect(answer).toMatch(/must be at most 512(\.0)? KiB/);
  expect(snapshot()).toBe(before);
  expect(query<{ n: number }>("select count(*) as n from configurations where name = 'big-values'")[0]!.n).toBe(0);
});

// ---------------------------------------------------------------------------
// Hardening case 8: markup typed into any text shown later is rendered inert, on every page and
// for every role, and no link Fleetline draws is anything but http(s) or its own paths.

const MARKUP = `<img src=x onerror="window.__xss='img'"><script>window.__xss='script'</script>`;

test("stored markup in a cluster's display name, a configuration's description and a user's name renders as text everywhere", async ({ browser }) => {
  test.setTimeout(600_000);
  const admin = await signedIn(browser, ADMIN);
  const prod = fleetCluster("e2e-1");
  await admin.goto("/clusters/new");
  await admin.getByLabel("Name", { exact: true }).fill("markup-cluster");
  await admin.getByLabel("Display name").fill(MARKUP);
  await admin.getByLabel("Labels").fill("env=markup");
  await admin.getByLabel("API server URL and token").check();
  await admin.getByLabel("API server URL", { exact: true }).fill("https://127.0.0.1:13");
  await admin.getByLabel("Bearer token").fill(prod.adminToken);
  await admin.getByRole("button", { name: "Register cluster" }).click();
  await admin.getByRole("button", { name: "Save anyway as unreachable" }).click();
  await expect(admin.getByRole("heading", { name: MARKUP })).toBeVisible();
  const clusterPath = new URL(admin.url()).pathname;

  await admin.goto("/settings/users");
  const users = admin.getByRole("region", { name: "Create user" });
  await users.getByLabel("Name").fill(MARKUP);
  await users.getByLabel("Email").fill("markup@fleetline.test");
  await users.getByLabel("Initial password").fill("markup-Pa55word-e2e");
  await users.getByRole("button", { name: "Create user" }).click();
  // Hashing the password (scrypt) on a busy two-core machine.
  await expect(users.getByRole("status")).toBeVisible({ timeout: 30_000 });

  await admin.goto("/configurations/new");
  await admin.getByLabel("Name", { exact: true }).fill("markup-config");
  await admin.getByLabel("Description").fill(MARKUP);
  await admin.getByRole("button", { name: "Next: Source" }).click();
  await admin.getByLabel("URL", { exact: true }).fill(fleet().git!.repoUrl);
  await admin.getByRole("button", { name: /^Next: Kustomizations/ }).click();
  const kustomization = admin.getByRole("group", { name: /^Kustomization 1/ });
  await kustomization.getByLabel("Name", { exact: true }).fill("infra");
  await kustomization.getByLabel("Path", { exact: true }).fill("./infrastructure");
  await admin.getByRole("button", { name: "Next: Targets" }).click();
  await admin.getByLabel("Match labels").fill("env=markup");
  await admin.getByRole("button", { name: "Next: Rollout" }).click();
  await admin.getByRole("button", { name: "Next: Review" }).click();
  await expect(admin.getByTestId("rendered-yaml")).toBeVisible({ timeout: 30_000 });
  await admin.getByRole("button", { name: "Create configuration" }).click();
  // Saving writes the version and starts the push before redirecting.
  await expect(admin).toHaveURL(/\/configurations\/[0-9a-f-]{36}/, { timeout: 30_000 });
  const configurationPath = new URL(admin.url()).pathname;

  const viewer = await signedIn(browser, VIEWER);
  const executed: string[] = [];
  for (const [who, page, urls] of [
    ["admin", admin, ["/", "/clusters", clusterPath, "/configurations", configurationPath, `${configurationPath}?tab=versions`, "/settings/users", "/audit", "/compliance"]],
    ["viewer", viewer, ["/", "/clusters", clusterPath, "/configurations", configurationPath]],
  ] as const) {
    page.on("dialog", (d) => {
      executed.push(`${who}: dialog on ${page.url()}`);
      void d.dismiss();
    });
    for (const url of urls) {
      await page.goto(url);
      await expect(page.locator("main")).toBeVisible();
      if (await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)) executed.push(`${who}: ran on ${url}`);
      // Only http(s) and the portal's own paths are ever links.
      const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
      for (const href of hrefs) if (!/^(\/|#|https?:\/\/)/.test(href)) executed.push(`${who}: link ${href} on ${url}`);
      // The markup is there as text where the page shows that value, never as an element.
      expect(await page.locator("main img[src=x]").count(), `${who} ${url}`).toBe(0);
    }
  }
  await admin.goto(clusterPath);
  await expect(admin.getByText(MARKUP).first()).toBeVisible();
  expect(executed).toEqual([]);
});
