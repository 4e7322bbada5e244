import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, createConfiguration, ensureAdmin, fleet, registerCluster, signIn } from "./support";

// A cluster that goes down is shown as down: stopping its API server puts it on the dashboard's
// "Clusters needing attention" list within an observation interval (2 s here), both the
// registration that runs a configuration and one that runs nothing. The cluster is this spec's
// own (cluster:up in a child process), so stopping it takes nothing from the other specs.

test.describe.configure({ mode: "serial" });

let admin: Page;
let cluster: ChildProcess | undefined;
let kubeconfig = "";

/** Starts `cluster:up` (an API server with the Flux CRDs and stand-in) and reads its admin kubeconfig. */
async function startOwnCluster(): Promise<{ child: ChildProcess; kubeconfig: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "test-support/cli/cluster-up.ts", "--name", "e2e-down"], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  // Until it is handed back, a failed start must not leave an API server running past the test.
  const file = await new Promise<string>((resolve, reject) => {
    // A busy two-core machine can take a minute to start an API server with its CRDs.
    const timer = setTimeout(() => reject(new Error(`cluster:up did not start within 180 s:\n${output}`)), 180_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /kubeconfig \(admin\): (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`cluster:up exited with ${code}:\n${output}`));
    });
  }).catch((error: unknown) => {
    child.kill("SIGTERM");
    throw error;
  });
  child.stdout!.resume();
  return { child, kubeconfig: fs.readFileSync(file, "utf8") };
}

/** Stops cluster:up (it removes its API server, etcd and data) and waits until it has exited. */
async function stopOwnCluster(): Promise<void> {
  const child = cluster;
  cluster = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  await exited;
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(240_000);
  const started = await startOwnCluster();
  cluster = started.child;
  kubeconfig = started.kubeconfig;
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
});

test.afterAll(async ({ browser }) => {
  await closeContexts(browser);
  await stopOwnCluster();
});

const attention = (page: Page) => page.getByRole("region", { name: /Clusters needing attention/ });

test("stopping a cluster's API server puts it on the dashboard's attention list, with and without a configuration", async () => {
  test.setTimeout(300_000);
  // The same API server registered twice: once running a configuration, once running nothing.
  await registerCluster(admin, "down-app", kubeconfig, "fleet=down-app");
  await registerCluster(admin, "down-empty", kubeconfig, "fleet=down-empty");
  await createConfiguration(admin, {
    name: "down-app-config",
    repoUrl: fleet().git!.repoUrl,
    kustomizations: [{ name: "infra", path: "./infrastructure" }],
    matchLabels: "fleet=down-app",
  });
  await expect(admin.getByRole("status").filter({ hasText: "1 of 1 done" })).toBeVisible({ timeout: 60_000 });

  // While the cluster runs, neither registration needs attention.
  await admin.goto("/");
  await expect(async () => {
    await admin.reload();
    const list = attention(admin);
    await expect(list).toBeVisible({ timeout: 2000 });
    await expect(list.getByRole("link", { name: "down-app", exact: true })).toHaveCount(0, { timeout: 1000 });
    await expect(list.getByRole("link", { name: "down-empty", exact: true })).toHaveCount(0, { timeout: 1000 });
  }).toPass({ timeout: 60_000 });

  await stopOwnCluster();

  // The dashboard polls /api/dashboard; within an interval or two (plus the health check's
  // timeout) both show up, the one without a configuration with the reason it is away.
  const list = attention(admin);
  await expect(list.getByRole("link", { name: "down-app", exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(list.getByRole("link", { name: "down-empty", exact: true })).toBeVisible({ timeout: 60_000 });
  const emptyRow = list.getByRole("row").filter({ has: admin.getByRole("link", { name: "down-empty", exact: true }) });
  await expect(emptyRow.locator("div")).not.toBeEmpty();
  // Its configuration's row turns Unknown: the cluster's Unknown count is no longer 0.
  const appRow = list.getByRole("row").filter({ has: admin.getByRole("link", { name: "down-app", exact: true }) });
  await expect(appRow.locator("td").nth(2)).not.toHaveText("0", { timeout: 60_000 });
});
