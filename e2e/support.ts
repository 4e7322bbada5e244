import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { expect, type Browser, type Page } from "@playwright/test";

export const ADMIN = { name: "Ada Admin", email: "ada@fleetline.test", password: "admin-Pa55word-e2e" };
export const VIEWER = { name: "Vic Viewer", email: "vic@fleetline.test", password: "viewer-Pa55word-e2e" };
export const OPERATOR = { name: "Otto Operator", email: "otto@fleetline.test", password: "operator-Pa55word-e2e" };
// A second operator, for four-eyes approvals (its own account: other specs change Otto's role).
export const APPROVER = { name: "Olga Approver", email: "olga@fleetline.test", password: "approver-Pa55word-e2e" };

export async function signIn(page: Page, user: { email: string; password: string }) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  // scrypt on a loaded two-core machine, then a dashboard render while the observation loop runs.
  await expect(page.getByRole("heading", { name: "Fleet dashboard" })).toBeVisible({ timeout: 60_000 });
}

/**
 * Contexts made with browser.newContext() live as long as the worker, and with one worker that is
 * the whole run: a page left on the dashboard went on polling the server through every later
 * spec, and the suite slowed as it went (the health endpoint's answer grew from 10 ms to 5 s
 * by the hardening spec). Every spec closes what it opened.
 */
export async function closeContexts(browser: Browser) {
  await Promise.all(browser.contexts().map((context) => context.close()));
}

/** Every byte SQLite holds for this run: the main file plus its write-ahead log. */
export function databaseBytes(): Buffer {
  const dir = process.env.FLEETLINE_E2E_DIR!;
  const file = path.join(dir, "fleetline.db");
  return Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

/** The form's own alert; Next's route announcer also has role="alert" but is a div. */
export const formAlert = (page: Page) => page.locator("p[role=alert]");

export type FleetCluster = { name: string; server: string; caData: string; adminToken: string; viewerToken: string; kubeconfig: string };
export type Fleet = {
  clusters: FleetCluster[];
  git: { repoUrl: string; privateRepoUrl: string; privateAuth: { username: string; password: string } } | null;
};

/** The real API servers global setup started for this run. */
export function fleet(): Fleet {
  return JSON.parse(fs.readFileSync(process.env.FLEETLINE_E2E_FLEET!, "utf8")) as Fleet;
}

export function fleetCluster(name: string): FleetCluster {
  const found = fleet().clusters.find((c) => c.name === name);
  if (!found) throw new Error(`no e2e cluster named ${name}`);
  return found;
}

/** Lets a spec run alone: performs first-run setup when no admin exists yet. */
export async function ensureAdmin(page: Page) {
  const response = await page.goto("/setup");
  if (response?.status() !== 200) return;
  await page.getByLabel("Name").fill(ADMIN.name);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Confirm password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByRole("status")).toContainText("Administrator created");
}

/** Makes sure the viewer account exists and is enabled (specs may run alone or after others). */
export function ensureViewer(admin: Page) {
  return ensureUser(admin, VIEWER, "viewer");
}

/** Makes sure an account exists and is enabled; a new one gets the role given. */
export async function ensureUser(admin: Page, user: typeof ADMIN, role: "viewer" | "operator" | "admin") {
  await admin.goto("/settings/users");
  if ((await admin.getByText(user.email).count()) === 0) {
    const form = admin.getByRole("region", { name: "Create user" });
    await form.getByLabel("Name").fill(user.name);
    await form.getByLabel("Email").fill(user.email);
    await form.getByLabel("Initial password").fill(user.password);
    await form.getByLabel("Role").selectOption(role);
    await form.getByRole("button", { name: "Create user" }).click();
    await expect(form.getByRole("status")).toBeVisible({ timeout: 30_000 });
  } else if (await admin.getByRole("button", { name: `Enable ${user.email}` }).count()) {
    await admin.getByRole("button", { name: `Enable ${user.email}` }).click();
    await expect(admin.getByRole("button", { name: `Disable ${user.email}` })).toBeVisible();
  }
}

/** Registers a harness cluster through the form (kubeconfig path) and waits for its page. */
export async function registerCluster(page: Page, name: string, kubeconfig: string, labels: string) {
  await page.goto("/clusters/new");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Labels").fill(labels);
  await page.getByRole("textbox", { name: "Kubeconfig" }).fill(kubeconfig);
  await submitRegistration(page, name);
}

/**
 * Registers, confirming when the API server is registered already (the e2e fleet has four API
 * servers and the specs register them under many names).
 */
export async function submitRegistration(page: Page, name: string) {
  await page.getByRole("button", { name: "Register cluster" }).click();
  const again = page.getByRole("button", { name: "Register this API server again" });
  const heading = page.getByRole("heading", { name });
  await expect(again.or(heading)).toBeVisible({ timeout: 30_000 });
  if (await again.isVisible()) await again.click();
  await expect(heading).toBeVisible({ timeout: 30_000 });
}

type WizardInput = { name: string; repoUrl: string; kustomizations: { name: string; path: string; targetNamespace?: string }[]; matchLabels: string };

/** The shortest honest walk through the wizard: a public Git source, Kustomizations, a selector, create and push. */
export async function createConfiguration(page: Page, input: WizardInput) {
  await page.goto("/configurations/new");
  await page.getByLabel("Name", { exact: true }).fill(input.name);
  await page.getByRole("button", { name: "Next: Source" }).click();
  await page.getByLabel("URL", { exact: true }).fill(input.repoUrl);
  await page.getByRole("button", { name: /^Next: Kustomizations/ }).click();
  for (const [i, k] of input.kustomizations.entries()) {
    if (i > 0) await page.getByRole("button", { name: "Add Kustomization" }).click();
    const card = page.getByRole("group", { name: new RegExp(`^Kustomization ${i + 1}`) });
    await card.getByLabel("Name", { exact: true }).fill(k.name);
    await card.getByLabel("Path", { exact: true }).fill(k.path);
    if (k.targetNamespace) await card.getByLabel("Target namespace").fill(k.targetNamespace);
  }
  await page.getByRole("button", { name: "Next: Targets" }).click();
  await page.getByLabel("Match labels").fill(input.matchLabels);
  await page.getByRole("button", { name: "Next: Rollout" }).click();
  await page.getByRole("button", { name: "Next: Review" }).click();
  // Review reads the ref first (ls-remote, up to 15 s against a host that never answers).
  await expect(page.getByTestId("rendered-yaml")).toBeVisible({ timeout: 30_000 });
  await page.getByRole("button", { name: "Create configuration" }).click();
  // Saving writes the version and starts the push before redirecting: seconds on a loaded machine.
  await expect(page).toHaveURL(/\/configurations\/[0-9a-f-]{36}\?rollout=/, { timeout: 30_000 });
}

/** A hand edit on a cluster, as a person with kubectl would make it: a JSON merge patch with the admin token. */
export function kubeMergePatch(cluster: FleetCluster, path: string, patch: object): Promise<number> {
  const url = new URL(path, cluster.server);
  const body = JSON.stringify(patch);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: "PATCH", ca: cluster.caData, headers: { Authorization: `Bearer ${cluster.adminToken}`, "Content-Type": "application/merge-patch+json", "Content-Length": Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** An object as the cluster has it (admin token), or the HTTP status when it cannot be read. */
export function kubeGet<T = Record<string, unknown>>(cluster: FleetCluster, path: string): Promise<T | number> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, cluster.server), { method: "GET", ca: cluster.caData, headers: { Authorization: `Bearer ${cluster.adminToken}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(res.statusCode === 200 ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as T) : (res.statusCode ?? 0)));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Server-side apply of one object with the admin token, as `kubectl apply --server-side` would. */
export function kubeApply(cluster: FleetCluster, path: string, object: object): Promise<number> {
  const url = new URL(`${path}?fieldManager=e2e&force=true`, cluster.server);
  const body = JSON.stringify(object);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: "PATCH", ca: cluster.caData, headers: { Authorization: `Bearer ${cluster.adminToken}`, "Content-Type": "application/apply-patch+yaml", "Content-Length": Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
