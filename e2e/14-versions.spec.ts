import fs from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, createConfiguration, ensureAdmin, fleet, fleetCluster, kubeMergePatch, registerCluster, signIn } from "./support";

// Issue 15 in the browser, "what runs where": one configuration deploys the sample repository's
// frontend (podinfo 6.6.0 at the head of main) to two clusters; one cluster's source is pinned by
// hand to the v1.0.0 tag (podinfo 6.5.0). The Versions page finds the cluster behind on podinfo,
// the cluster's own Versions tab says the same, and the CSV export carries the page's filters.
test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;
let clusterPath = "";

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
  await registerCluster(admin, "versions-a", fleetCluster("e2e-1").kubeconfig, "fleet=versions, env=staging");
  clusterPath = new URL(admin.url()).pathname;
  await registerCluster(admin, "versions-b", fleetCluster("e2e-2").kubeconfig, "fleet=versions, env=prod");
  await createConfiguration(admin, {
    name: "versions-web",
    repoUrl: fleet().git!.repoUrl,
    kustomizations: [{ name: "apps", path: "./apps/frontend", targetNamespace: "default" }],
    matchLabels: "fleet=versions",
  });
  // Someone pins one cluster's source to the release tag by hand: it runs the older image.
  await expect(async () => {
    const status = await kubeMergePatch(fleetCluster("e2e-1"), "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/versions-web", { spec: { ref: { branch: null, tag: "v1.0.0" } } });
    expect(status).toBe(200);
  }).toPass({ timeout: 30_000 });
});

const PODINFO = /1 of 2 clusters run an older podinfo than the newest in the fleet \(6\.6\.0\)/;

test("the Versions page finds the cluster behind on podinfo, and its CSV export keeps the filters", async () => {
  test.setTimeout(150_000);
  await expect(async () => {
    await admin.goto("/versions?labels=fleet%3Dversions&image=podinfo");
    await expect(admin.getByTestId("versions-summary")).toContainText(PODINFO, { timeout: 1000 });
  }).toPass({ timeout: 120_000 });

  // The full matrix: both clusters, grouped by env when asked.
  await admin.getByLabel("Group clusters by label").fill("env");
  await admin.getByRole("button", { name: "Filter" }).click();
  await expect(admin).toHaveURL(/group=env/);
  const matrix = admin.getByRole("table", { name: "Versions per cluster" });
  await expect(matrix.getByRole("columnheader", { name: "versions-a" })).toBeVisible();
  await expect(matrix.getByRole("columnheader", { name: "versions-b" })).toBeVisible();
  await expect(matrix.getByRole("columnheader", { name: "staging" })).toBeVisible();
  const row = matrix.getByRole("row").filter({ has: admin.getByRole("rowheader", { name: /stefanprodan\/podinfo/ }) });
  await expect(row).toContainText("6.5.0");
  await expect(row).toContainText("6.6.0");
  await expect(row.getByText("Behind")).toHaveCount(1);

  // The summary's link shows only the clusters behind.
  await admin.getByTestId("versions-summary").getByRole("link", { name: PODINFO }).click();
  await expect(admin).toHaveURL(/only=behind/);
  await expect(matrix.getByRole("columnheader", { name: "versions-a" })).toBeVisible();
  await expect(matrix.getByRole("columnheader", { name: "versions-b" })).toHaveCount(0);
  const cell = matrix.getByRole("cell").filter({ hasText: "6.5.0" });
  await expect(cell.getByText("Behind")).toBeVisible();
  await expect(cell.locator("[title*='ghcr.io/stefanprodan/podinfo:6.5.0']")).toHaveCount(1);

  const [download] = await Promise.all([admin.waitForEvent("download"), admin.getByRole("link", { name: "Export CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^fleetline-versions-.*\.csv$/);
  const [header, ...lines] = fs.readFileSync((await download.path())!, "utf8").trim().split("\r\n");
  expect(header).toBe("configuration,kind,name,cluster,group,workload,version,image,newest,behind,not_in_git,git_image,app_version,observed_at");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain("versions-web,image,ghcr.io/stefanprodan/podinfo,versions-a,staging,Deployment default/frontend (podinfod),6.5.0,ghcr.io/stefanprodan/podinfo:6.5.0,6.6.0,true,false");

  // JSON too, with the same filter.
  const json = (await (await admin.request.get(`/api/versions/export?labels=fleet%3Dversions&image=podinfo&only=behind&format=json`)).json()) as { lines: { cluster: string; behind: boolean }[] };
  expect(json.lines.map((l) => [l.cluster, l.behind])).toEqual([["versions-a", true]]);
});

test("the cluster's Versions tab lists its images, the behind one marked", async () => {
  await admin.goto(clusterPath);
  await admin.getByRole("main").getByRole("link", { name: "Versions", exact: true }).click();
  await expect(admin).toHaveURL(/tab=versions/, { timeout: 30_000 });
  const images = admin.getByRole("table", { name: "Images on versions-a" });
  const podinfo = images.getByRole("row").filter({ hasText: "stefanprodan/podinfo" });
  await expect(podinfo).toContainText("6.5.0");
  await expect(podinfo).toContainText("Behind");
  await expect(podinfo).toContainText("newest 6.6.0");
  await expect(images.getByRole("row").filter({ hasText: "library/busybox" })).not.toContainText("Behind");
});

test("the Versions page and tab have no serious accessibility violations and fit 1280 px", async () => {
  test.setTimeout(120_000);
  await admin.setViewportSize({ width: 1280, height: 900 });
  for (const url of ["/versions?labels=fleet%3Dversions&group=env", `${clusterPath}?tab=versions`]) {
    await admin.goto(url);
    await expect(admin.getByRole("table").first()).toBeVisible();
    const results = await new AxeBuilder({ page: admin }).analyze();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${url}: ${v.id} ${v.nodes[0]?.target.join(" ")}`);
    expect(serious).toEqual([]);
    const sideways = await admin.evaluate(() => [...document.querySelectorAll<HTMLElement>("main *")].filter((el) => el.scrollWidth > el.clientWidth + 1 && ["auto", "scroll"].includes(getComputedStyle(el).overflowX)).length + (document.documentElement.scrollWidth > document.documentElement.clientWidth + 1 ? 1 : 0));
    expect(sideways, `${url} scrolls sideways`).toBe(0);
  }
});
