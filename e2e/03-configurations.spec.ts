import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, ensureAdmin, ensureViewer, fleet, fleetCluster, signIn, submitRegistration, VIEWER } from "./support";

test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

let admin: Page;

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
});

async function registerByKubeconfig(page: Page, name: string, kubeconfig: string, labels: string) {
  await page.goto("/clusters/new");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Labels").fill(labels);
  await page.getByRole("textbox", { name: "Kubeconfig" }).fill(kubeconfig);
  await submitRegistration(page, name);
}

test("an admin adds an HTTPS credential bound to the Git host", async () => {
  const git = fleet().git!;
  await admin.goto("/settings/credentials");
  const form = admin.getByRole("region", { name: "Create credential" });
  await form.getByLabel("Type").selectOption("https");
  await form.getByLabel("Name", { exact: true }).fill("fixture-git");
  await form.getByLabel("Host", { exact: true }).fill(new URL(git.privateRepoUrl).hostname);
  await form.getByLabel("Username").fill(git.privateAuth.username);
  await form.getByLabel("Password or token").fill(git.privateAuth.password);
  await form.getByRole("button", { name: "Create credential" }).click();
  await expect(form.getByRole("status")).toContainText("Created credential fixture-git");
  await expect(admin.getByRole("cell", { name: "fixture-git", exact: true })).toBeVisible();
  expect(await admin.content()).not.toContain(git.privateAuth.password);
});

test("the wizard creates a Git configuration with two dependent Kustomizations and pushes it to clusters picked by label", async () => {
  const git = fleet().git!;
  await registerByKubeconfig(admin, "wiz-a", fleetCluster("e2e-1").kubeconfig, "fleet=wizard, env=prod");
  await registerByKubeconfig(admin, "wiz-b", fleetCluster("e2e-2").kubeconfig, "fleet=wizard, env=prod");

  await admin.goto("/configurations/new");
  // Basics: an invalid name is refused with the rule named, and nothing moves on.
  await admin.getByLabel("Name", { exact: true }).fill("Podinfo_Stack");
  await admin.getByRole("button", { name: "Next: Source" }).click();
  await expect(admin.getByText("Name: must be lowercase (DNS-1123 label)")).toBeVisible();
  await admin.getByLabel("Name", { exact: true }).fill("podinfo-stack");
  await admin.getByRole("button", { name: "Next: Source" }).click();

  // Source: a URL with embedded credentials is refused; the credential is picked instead.
  await admin.getByLabel("URL", { exact: true }).fill(git.privateRepoUrl.replace("http://", `http://${git.privateAuth.username}:${git.privateAuth.password}@`));
  await admin.getByRole("button", { name: /^Next: Kustomizations/ }).click();
  await expect(admin.getByText(/^URL: .*credential/i)).toBeVisible();
  await admin.getByLabel("URL", { exact: true }).fill(git.privateRepoUrl);
  await admin.getByLabel("Credential").selectOption({ label: `fixture-git (https, ${new URL(git.privateRepoUrl).hostname})` });
  await admin.getByRole("button", { name: /^Next: Kustomizations/ }).click();

  // Two Kustomizations, the second depending on the first.
  const first = admin.getByRole("group", { name: /^Kustomization 1/ });
  await first.getByLabel("Name", { exact: true }).fill("infra");
  await first.getByLabel("Path", { exact: true }).fill("./infrastructure");
  await admin.getByRole("button", { name: "Add Kustomization" }).click();
  const second = admin.getByRole("group", { name: /^Kustomization 2/ });
  await second.getByLabel("Name", { exact: true }).fill("apps");
  await second.getByLabel("Path", { exact: true }).fill("./apps/podinfo");
  // The podinfo manifests carry no namespace; the infra Kustomization creates this one.
  await second.getByLabel("Target namespace").fill("podinfo");
  await second.getByLabel("infra").check();
  // Back and forward keep what was typed.
  await admin.getByRole("button", { name: "Back" }).click();
  await expect(admin.getByLabel("URL", { exact: true })).toHaveValue(git.privateRepoUrl);
  await admin.getByRole("button", { name: /^Next: Kustomizations/ }).click();
  await expect(admin.getByRole("group", { name: /^Kustomization 2/ }).getByLabel("Path")).toHaveValue("./apps/podinfo");
  await admin.getByRole("button", { name: "Next: Targets" }).click();

  // Targets: the selector shows what it matches right now.
  await admin.getByLabel("Match labels").fill("fleet=wizard");
  await expect(admin.getByRole("heading", { name: "Targets right now: 2 clusters" })).toBeVisible();
  await expect(admin.getByRole("list", { name: "Matched clusters" })).toContainText("wiz-a");
  await admin.getByRole("button", { name: "Next: Rollout" }).click();
  await admin.getByRole("button", { name: "Next: Review" }).click();

  // Review: masked YAML and a real server-side dry run on each target.
  const yaml = admin.getByTestId("rendered-yaml");
  await expect(yaml).toContainText("kind: GitRepository");
  await expect(yaml).toContainText("name: podinfo-stack-apps");
  await expect(yaml).toContainText("- name: podinfo-stack-infra");
  await expect(yaml).toContainText("(masked)");
  await expect(yaml).not.toContainText(git.privateAuth.password);
  await expect(admin.getByText("would create").first()).toBeVisible();
  await expect(admin.getByText(/Server-side dry run \(2 of 2 target clusters\)/)).toBeVisible();

  await admin.getByLabel("Change message").fill("First rollout of podinfo");
  await admin.getByRole("button", { name: "Create configuration" }).click();
  await expect(admin).toHaveURL(/\/configurations\/[0-9a-f-]{36}\?rollout=/, { timeout: 30_000 });
  await expect(admin.getByRole("status").filter({ hasText: "2 of 2 done" })).toBeVisible({ timeout: 30_000 });
  // The push panel's rows (the status table below has cells that mention "applied" too).
  await expect(admin.getByRole("region", { name: /^Push of v1/ }).getByRole("cell", { name: "applied" })).toHaveCount(2);
});

test("both clusters show the pushed objects, reconciled by Flux", async () => {
  for (const name of ["wiz-a", "wiz-b"]) {
    await admin.goto(`/clusters?q=${name}`);
    const href = await admin.getByRole("link", { name, exact: true }).getAttribute("href");
    await admin.goto(`${href}?tab=objects`);
    // The health sweep (every 2 s in e2e) lists what is on the cluster; the stand-in reconciles it.
    // Rows are picked by their name cell: the apps row's message names the infra Kustomization
    // ("dependency 'flux-system/podinfo-stack-infra' is not ready") until infra is Ready.
    const row = (name: string) => admin.getByRole("row").filter({ has: admin.getByRole("cell", { name: `flux-system/${name}`, exact: true }) });
    await expect(async () => {
      await admin.reload();
      await expect(row("podinfo-stack-apps").getByRole("cell", { name: "Ready", exact: true })).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 45_000 });
    await expect(row("podinfo-stack").first()).toContainText("Fleetline (podinfo-stack)");
    await expect(row("podinfo-stack-infra")).toBeVisible();
  }
});

test("a viewer cannot push: no button, and a replayed push request is refused and audited", async ({ browser }) => {
  await admin.goto("/configurations");
  await admin.getByRole("link", { name: "podinfo-stack" }).click();
  const [request] = await Promise.all([
    admin.waitForRequest((r) => r.method() === "POST" && Boolean(r.headers()["next-action"])),
    admin.getByRole("button", { name: "Push v1" }).click(),
  ]);
  await expect(admin.getByRole("status").filter({ hasText: "2 of 2 done" })).toBeVisible({ timeout: 30_000 });
  const page = new URL(admin.url());

  const viewer = await (await browser.newContext()).newPage();
  await ensureViewer(admin);
  await signIn(viewer, VIEWER);
  await viewer.goto(page.pathname);
  await expect(viewer.getByRole("heading", { name: "podinfo-stack" })).toBeVisible();
  await expect(viewer.getByRole("button", { name: /^Push/ })).toHaveCount(0);
  const replay = await viewer.context().request.post(page.pathname, {
    headers: { "next-action": request.headers()["next-action"]!, "content-type": request.headers()["content-type"] ?? "text/plain;charset=UTF-8", accept: "text/x-component", origin: page.origin },
    data: request.postDataBuffer() ?? "",
  });
  expect(replay.status()).toBe(403);
  await admin.goto("/audit?action=configuration.push&outcome=denied");
  await expect(admin.getByRole("row").filter({ hasText: VIEWER.email })).toHaveCount(1);
});
