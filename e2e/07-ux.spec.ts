import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, createConfiguration, ensureAdmin, fleet, fleetCluster, registerCluster, signIn } from "./support";

// The first hour, as a newcomer's browser sees it: icons, hydration, accessibility on every
// page, and the configuration page at a laptop's and a phone's width.
test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;
let clusterUrl = "";
let configurationUrl = "";
const browserErrors: string[] = [];
// The page an error came from, so a failure names it.
const onPage = (message: string) => `${new URL(admin.url()).pathname}: ${message}`;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  admin = await (await browser.newContext()).newPage();
  admin.on("console", (message) => {
    if (message.type() === "error") browserErrors.push(onPage(message.text()));
  });
  admin.on("pageerror", (error) => browserErrors.push(onPage(error.message)));
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
  await registerCluster(admin, "ux-a", fleetCluster("e2e-1").kubeconfig, "fleet=ux, env=prod");
  await expect(admin).toHaveURL(/\/clusters\/[0-9a-f-]{36}$/);
  clusterUrl = new URL(admin.url()).pathname;
  await createConfiguration(admin, {
    name: "ux-app",
    repoUrl: fleet().git!.repoUrl,
    kustomizations: [{ name: "infra", path: "./infrastructure" }],
    matchLabels: "fleet=ux",
  });
  configurationUrl = new URL(admin.url()).pathname;
  await expect(admin.getByRole("status").filter({ hasText: "1 of 1 done" })).toBeVisible({ timeout: 30_000 });
});

test("registering an API server again warns and waits for a confirmation", async () => {
  await admin.goto("/clusters/new");
  await admin.getByLabel("Name", { exact: true }).fill("ux-twice");
  await admin.getByRole("textbox", { name: "Labels" }).fill("fleet=twice");
  await admin.getByRole("textbox", { name: "Kubeconfig" }).fill(fleetCluster("e2e-1").kubeconfig);
  await admin.getByRole("button", { name: "Register cluster" }).click();
  await expect(admin.getByRole("alert").filter({ hasText: "is already registered as" })).toContainText("ux-a", { timeout: 30_000 });
  await expect(admin).toHaveURL(/\/clusters\/new$/);
  await admin.getByRole("button", { name: "Register this API server again" }).click();
  await expect(admin.getByRole("heading", { name: "ux-twice" })).toBeVisible({ timeout: 30_000 });
});

test("the reconciler select shows the saved value, so a second Save keeps it", async () => {
  await admin.goto(`${clusterUrl}?tab=credentials`);
  const select = admin.getByLabel("Reconciler", { exact: true });
  await select.selectOption("argocd");
  await admin.getByRole("button", { name: "Save", exact: true }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Reconciler set to Argo CD." })).toBeVisible();
  await expect(select).toHaveValue("argocd");
  await admin.getByRole("button", { name: "Save", exact: true }).click();
  await expect(select).toHaveValue("argocd");
  await select.selectOption("auto");
  await admin.getByRole("button", { name: "Save", exact: true }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Reconciler detected automatically." })).toBeVisible();
  await expect(select).toHaveValue("auto");
});

test("the favicon and app icons are served", async () => {
  for (const [path, type] of [["/favicon.ico", /icon/], ["/icon.svg", /svg/], ["/icon-192.png", /png/], ["/apple-touch-icon.png", /png/], ["/manifest.webmanifest", /manifest|json/]] as const) {
    const response = await admin.request.get(path);
    expect(response.status(), path).toBe(200);
    expect(response.headers()["content-type"], path).toMatch(type);
  }
});

test("the dashboard and a cluster's page hydrate without errors (#418)", async () => {
  browserErrors.length = 0;
  for (const url of ["/", clusterUrl, "/clusters", configurationUrl]) {
    // Not "networkidle": the live pages poll every few seconds, so the network is never idle for long.
    await admin.goto(url);
    // Long enough for a server-rendered "5 seconds ago" to read differently in the browser.
    await admin.waitForTimeout(1500);
    await admin.reload();
    await admin.waitForTimeout(1500);
  }
  expect(browserErrors.filter((e) => /418|hydrat|favicon|404/i.test(e))).toEqual([]);
});

/** Serious and critical axe violations on the page as it stands, one line each. */
async function seriousViolations(page: Page, where: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.length}× e.g. ${v.nodes[0]?.target.join(" ")}`);
}

/** Every page and tab of the product, for the walks below. */
function everyPage(): string[] {
  return [
    "/",
    "/clusters",
    "/clusters/new",
    clusterUrl,
    `${clusterUrl}?tab=objects`,
    `${clusterUrl}?tab=labels`,
    `${clusterUrl}?tab=credentials`,
    `${clusterUrl}?tab=delete`,
    "/configurations",
    configurationUrl,
    `${configurationUrl}?tab=drift`,
    `${configurationUrl}?tab=commits`,
    `${configurationUrl}?tab=versions`,
    `${configurationUrl}?tab=yaml`,
    `${configurationUrl}?tab=edit`,
    `${configurationUrl}?tab=delete`,
    "/compliance",
    "/compliance?tab=matrix",
    "/compliance?tab=assignments",
    "/compliance?tab=policies",
    "/compliance?tab=waivers",
    "/versions",
    `${clusterUrl}?tab=policies`,
    `${clusterUrl}?tab=versions`,
    "/audit",
    "/settings",
    "/settings/account",
    "/settings/credentials",
    "/settings/users",
    "/settings/windows",
    "/settings/tokens",
    "/settings/notifications",
  ];
}

// axe takes some seconds a page in a loaded Chromium: the pages are checked in two halves, each
// with its own time budget, then the wizard step by step.
const axeVisit = async (url: string, found: string[]) => {
  await admin.goto(url);
  // Streamed tabs settle within a moment; "networkidle" never comes on pages that poll.
  await admin.waitForTimeout(1000);
  found.push(...(await seriousViolations(admin, url)));
};

for (const half of [0, 1] as const) {
  test(`every page has no serious or critical accessibility violations (${half === 0 ? "first" : "second"} half)`, async () => {
    test.setTimeout(300_000);
    const pages = everyPage();
    const middle = Math.ceil(pages.length / 2);
    const found: string[] = [];
    for (const url of half === 0 ? pages.slice(0, middle) : pages.slice(middle)) await axeVisit(url, found);
    expect(found).toEqual([]);
  });
}

test("every step of the wizard has no serious or critical accessibility violations", async () => {
  test.setTimeout(180_000);
  const found: string[] = [];
  await axeVisit("/configurations/new", found);
  await admin.getByLabel("Name", { exact: true }).fill("axe-check");
  await admin.getByRole("button", { name: "Next: Source" }).click();
  found.push(...(await seriousViolations(admin, "wizard: Source")));
  await admin.getByLabel("URL", { exact: true }).fill(fleet().git!.repoUrl);
  await admin.getByRole("button", { name: /^Next: Kustomizations/ }).click();
  await admin.getByRole("group", { name: /^Kustomization 1/ }).getByLabel("Name", { exact: true }).fill("infra");
  await admin.getByRole("group", { name: /^Kustomization 1/ }).getByLabel("Path", { exact: true }).fill("./infrastructure");
  found.push(...(await seriousViolations(admin, "wizard: Kustomizations")));
  await admin.getByRole("button", { name: "Next: Targets" }).click();
  await admin.getByLabel("Match labels").fill("fleet=ux");
  found.push(...(await seriousViolations(admin, "wizard: Targets")));
  await admin.getByRole("button", { name: "Next: Rollout" }).click();
  await admin.getByLabel("Roll out in waves").check();
  found.push(...(await seriousViolations(admin, "wizard: Rollout")));
  await admin.getByLabel("Roll out in waves").uncheck();
  await admin.getByRole("button", { name: "Next: Review" }).click();
  await expect(admin.getByTestId("rendered-yaml")).toBeVisible({ timeout: 30_000 });
  found.push(...(await seriousViolations(admin, "wizard: Review")));
  expect(found).toEqual([]);
});

/** Every visible button and link of the main content lies inside the viewport's width. */
async function controlsOutsideViewport(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const outside: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>("main button, main a, main select, main input, main summary")) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.left < 0 || box.right > width + 0.5) outside.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.getAttribute("aria-label") || "").trim().slice(0, 40)}" at ${Math.round(box.left)}–${Math.round(box.right)} of ${width}`);
    }
    // A scrolling container inside the page hides its overflow from the viewport check above.
    for (const el of document.querySelectorAll<HTMLElement>("main *")) {
      if (el.scrollWidth > el.clientWidth + 1 && ["auto", "scroll"].includes(getComputedStyle(el).overflowX)) outside.push(`${el.tagName.toLowerCase()}.${el.className.toString().split(" ")[0]} scrolls horizontally (${el.scrollWidth} > ${el.clientWidth})`);
    }
    if (document.documentElement.scrollWidth > width + 1) outside.push(`the page scrolls horizontally (${document.documentElement.scrollWidth} > ${width})`);
    return outside;
  });
}

for (const [width, height] of [[1280, 900], [390, 844]] as const) {
  test(`the configuration page at ${width} px: every control within the viewport, no horizontal scrolling`, async ({}, testInfo) => {
    await admin.setViewportSize({ width, height });
    await admin.goto(configurationUrl);
    await expect(admin.getByRole("table", { name: "Status per cluster" })).toBeVisible();
    await admin.screenshot({ path: testInfo.outputPath(`configuration-${width}.png`), fullPage: true });
    await testInfo.attach(`configuration-${width}`, { path: testInfo.outputPath(`configuration-${width}.png`), contentType: "image/png" });
    expect(await controlsOutsideViewport(admin)).toEqual([]);
    await admin.setViewportSize({ width: 1280, height: 900 });
  });
}

test("the configuration page's actions are reachable by keyboard", async () => {
  await admin.goto(configurationUrl);
  await expect(admin.getByRole("table", { name: "Status per cluster" })).toBeVisible();
  const reached = new Set<string>();
  // Through the navigation, the header's verbs, tabs and filters to the first row's menu.
  for (let i = 0; i < 200 && !(reached.has("Push v1") && reached.has("Actions for ux-a")); i++) {
    await admin.keyboard.press("Tab");
    // Roughly the accessible name: an aria-label, else the text without aria-hidden parts (the row
    // menu's button reads "Actions for ux-a", its "▾" hidden from assistive technology).
    reached.add(
      await admin.evaluate(() => {
        const active = document.activeElement;
        if (!active) return "";
        const label = active.getAttribute("aria-label");
        if (label) return label;
        const copy = active.cloneNode(true) as Element;
        for (const hidden of copy.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
        return (copy.textContent ?? "").replace(/\s+/g, " ").trim();
      }),
    );
  }
  expect([...reached]).toEqual(expect.arrayContaining(["Push v1", "Actions for ux-a"]));
  // The row menu opens from the keyboard and its verbs are buttons in the tab order.
  await admin.getByRole("button", { name: "Actions for ux-a" }).focus();
  await admin.keyboard.press("Enter");
  await expect(admin.getByRole("button", { name: /Reconcile/ }).first()).toBeVisible();
});

test("a verb from the row menu is audited with names and a readable summary, details on demand", async () => {
  await admin.goto(configurationUrl);
  await admin.getByRole("button", { name: "Actions for ux-a" }).click();
  await admin.getByRole("button", { name: "Reconcile now on ux-a" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Reconcile requested" })).toBeVisible({ timeout: 30_000 });
  await admin.goto("/audit?action=configuration.reconcile");
  const row = admin.getByRole("table", { name: "Audit log" }).getByRole("row").nth(1);
  await expect(row).toContainText("Asked ux-a to reconcile ux-app");
  await expect(row.getByRole("cell").nth(2)).toContainText("ux-app");
  await expect(row.getByRole("cell").nth(2)).not.toContainText(/[0-9a-f]{8}-[0-9a-f]{4}/);
  await row.getByText("Details").click();
  await expect(row.locator("pre")).toContainText("ux-a (");
});

test("the Review step reads the ref and says a missing branch before anything is pushed", async () => {
  await admin.goto("/configurations/new");
  await admin.getByLabel("Name", { exact: true }).fill("ux-missing-ref");
  await admin.getByRole("button", { name: "Next: Source" }).click();
  await admin.getByLabel("URL", { exact: true }).fill(fleet().git!.repoUrl);
  await admin.getByLabel("Reference (branch)").fill("does-not-exist");
  await admin.getByRole("button", { name: /^Next: Kustomizations/ }).click();
  await admin.getByRole("group", { name: /^Kustomization 1/ }).getByLabel("Name", { exact: true }).fill("infra");
  await admin.getByRole("group", { name: /^Kustomization 1/ }).getByLabel("Path", { exact: true }).fill("./infrastructure");
  await admin.getByRole("button", { name: "Next: Targets" }).click();
  await admin.getByLabel("Match labels").fill("fleet=ux");
  await admin.getByRole("button", { name: "Next: Rollout" }).click();
  await admin.getByRole("button", { name: "Next: Review" }).click();
  await expect(admin.getByRole("alert").filter({ hasText: "branch does-not-exist not found" })).toContainText("Reference", { timeout: 30_000 });
  await expect(admin.getByTestId("rendered-yaml")).toHaveCount(0);
});

test("every page at 1280 px: no table or control needs a horizontal scroll, long labels, names and addresses included", async () => {
  test.setTimeout(300_000);
  await admin.setViewportSize({ width: 1280, height: 900 });
  // What a real fleet has and a short test name does not: long label keys and values, a long user.
  await admin.goto(`${clusterUrl}?tab=labels`);
  await admin.getByRole("textbox", { name: "Labels" }).fill(
    "fleet=ux, env=prod, topology.kubernetes.io/region=europe-west-1-availability-zone-b-rack-17, team.platform.example.com/owner=observability-and-reliability-engineering",
  );
  await admin.getByRole("button", { name: "Save labels" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Labels saved." })).toBeVisible({ timeout: 30_000 });
  await admin.goto("/settings/users");
  const longEmail = "observability-and-reliability.platform-engineering@clusters.eu-west.example-company.com";
  if ((await admin.getByText(longEmail).count()) === 0) {
    const form = admin.getByRole("region", { name: "Create user" });
    await form.getByLabel("Name").fill("Observability and Reliability Platform Engineering On-Call Rotation");
    await form.getByLabel("Email").fill(longEmail);
    await form.getByLabel("Initial password").fill("ux-Long-Pa55word-e2e");
    await form.getByRole("button", { name: "Create user" }).click();
    await expect(form.getByRole("status")).toBeVisible({ timeout: 30_000 });
  }
  const found: string[] = [];
  for (const url of everyPage()) {
    await admin.goto(url);
    await admin.waitForTimeout(500);
    found.push(...(await controlsOutsideViewport(admin)).map((problem) => `${url}: ${problem}`));
  }
  expect(found).toEqual([]);
});
