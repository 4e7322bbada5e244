import net from "node:net";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, closeContexts, createConfiguration, ensureAdmin, signIn } from "./support";

// The Commits tab needs a `git fetch`. A git host that accepts the connection and never answers
// (a black hole on loopback) must not hold the page: the shell renders, the tab shows its
// skeleton and then a "still fetching" line, while the fetch goes on in the background.
test.describe.configure({ mode: "serial" });

let admin: Page;
let hole: net.Server;
const connections = new Set<net.Socket>();

test.beforeAll(async ({ browser }) => {
  hole = net.createServer((socket) => {
    // Accept, read, never answer.
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
    socket.on("error", () => connections.delete(socket));
  });
  await new Promise<void>((resolve) => hole.listen(0, "127.0.0.1", resolve));
  admin = await (await browser.newContext()).newPage();
  await ensureAdmin(admin);
  await signIn(admin, ADMIN);
});

test.afterAll(async ({ browser }) => {
  await closeContexts(browser);
  for (const socket of connections) socket.destroy();
  await new Promise<void>((resolve) => hole.close(() => resolve()));
});

test("the Commits tab of a configuration whose git host never answers shows the page shell and a still-fetching state", async () => {
  // The wizard's dry runs and five page loads: over two minutes on a loaded two-core machine.
  test.setTimeout(240_000);
  const { port } = hole.address() as net.AddressInfo;
  await createConfiguration(admin, {
    name: "black-hole",
    repoUrl: `http://127.0.0.1:${port}/fleet.git`,
    kustomizations: [{ name: "apps", path: "./apps" }],
    matchLabels: "fleet=nowhere",
  });
  const base = admin.url().replace(/\?.*$/, "");
  let accepted = 0;
  hole.on("connection", () => (accepted += 1));

  // "commit": the response has started; before streaming the server sent nothing until git gave up.
  await admin.goto(`${base}?tab=commits`, { waitUntil: "commit" });
  await expect(admin.getByRole("heading", { name: "black-hole", level: 1 })).toBeVisible();
  await expect(admin.getByRole("link", { name: "Commits", exact: true })).toBeVisible();
  // The skeleton first, then the tab's own words: the repository has not answered yet.
  await expect(admin.getByTestId("tab-skeleton").or(admin.getByTestId("commits-computed"))).toBeVisible();
  // Still fetching, or (once git gave up, which a slow machine can reach first) a clean failure that
  // the cache then remembers for its max age: either way the tab's own words, never a hung page.
  const stillOrFailed = admin.getByText(/has not answered yet|Could not fetch the repository/);
  await expect(admin.getByTestId("commits-computed")).toBeVisible();
  await expect(stillOrFailed).toBeVisible();
  await expect(admin.getByRole("button", { name: "Refresh" })).toBeVisible();
  // It really was the black hole that was asked (and is still being waited on in the background).
  expect(accepted).toBeGreaterThan(0);

  // Other tabs and pages are not held up by the fetch still hanging.
  await admin.goto(`${base}?tab=yaml`);
  await expect(admin.locator("pre").first()).toContainText("GitRepository");
  await admin.goto(`${base}?tab=commits`, { waitUntil: "commit" });
  await expect(stillOrFailed).toBeVisible({ timeout: 30_000 });
});
