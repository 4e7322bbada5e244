import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import Database from "better-sqlite3";
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { ADMIN, closeContexts, ensureAdmin, signIn } from "./support";

// Notifications in the browser: an admin adds a signed webhook channel pointing at a receiver this
// test runs on 127.0.0.1 (the e2e server allows local targets), adds a rule, sends a test message
// (the receiver checks its signature), and sees it, then a failed one, in the delivery log.
test.afterAll(({ browser }) => closeContexts(browser));

const KEY = "e2e-signing-key-0123456789abcdef";
const SECRET_PATH = "/hooks/e2e-secret-path-4711";

test("an admin adds a webhook channel and a rule, sends a test message and sees the delivery", async ({ browser }) => {
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(status);
      res.end(status === 200 ? "ok" : "receiver broke");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SECRET_PATH}`;
  try {
    const admin = await (await browser.newContext()).newPage();
    await ensureAdmin(admin);
    await signIn(admin, ADMIN);
    await admin.goto("/settings");
    await admin.getByRole("link", { name: /Notifications/ }).click();
    await expect(admin.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();

    const channelForm = admin.getByRole("region", { name: "Create channel" });
    await channelForm.getByLabel("Channel name").fill("e2e-hook");
    await channelForm.getByLabel("Type").selectOption("webhook");
    await channelForm.getByLabel("Webhook URL").fill(url);
    await channelForm.getByLabel("Signing key").fill(KEY);
    await channelForm.getByRole("button", { name: "Create channel" }).click();
    await expect(channelForm.getByRole("status")).toContainText("Created channel e2e-hook.");
    const row = admin.getByRole("table", { name: "Channels" }).getByRole("row").filter({ hasText: "e2e-hook" });
    await expect(row).toContainText(/127\.0\.0\.1:\d+\/…/);
    // The URL's path (its secret) is nowhere on the page, nor in the database in the clear.
    expect(await admin.content()).not.toContain(SECRET_PATH);
    const db = new Database(path.join(process.env.FLEETLINE_E2E_DIR!, "fleetline.db"), { readonly: true });
    expect(JSON.stringify(db.prepare("select * from notification_channels").all())).not.toContain("e2e-secret-path");
    expect(JSON.stringify(db.prepare("select details from audit_log where action like 'notification%'").all())).not.toContain("e2e-secret-path");
    db.close();

    const ruleForm = admin.getByRole("region", { name: "Create rule" });
    await ruleForm.getByLabel("Rule name").fill("e2e-rule");
    await ruleForm.getByRole("button", { name: "Create rule" }).click();
    await expect(ruleForm.getByText("Events choose at least one event")).toBeVisible();
    await ruleForm.getByLabel(/A cluster becomes unreachable/).check();
    await ruleForm.getByRole("checkbox", { name: "e2e-hook" }).check();
    await ruleForm.getByRole("button", { name: "Create rule" }).click();
    await expect(ruleForm.getByRole("status")).toContainText("Created rule e2e-rule.");
    await expect(admin.getByRole("table", { name: "Rules" }).getByRole("row").filter({ hasText: "e2e-rule" })).toContainText("cluster.unreachable");

    await row.getByRole("button", { name: "Send test message to e2e-hook" }).click();
    await expect(row.getByRole("status")).toContainText("Test message sent to e2e-hook (HTTP 200).");
    expect(received).toHaveLength(1);
    const got = received[0]!;
    const ts = got.headers["x-fleetline-timestamp"] as string;
    expect(got.headers["x-fleetline-signature"]).toBe(`sha256=${crypto.createHmac("sha256", KEY).update(`${ts}.${got.body}`).digest("hex")}`);
    expect(JSON.parse(got.body)).toMatchObject({ event: "test", severity: "info", count: 0 });

    status = 500;
    await row.getByRole("button", { name: "Send test message to e2e-hook" }).click();
    await expect(row.getByRole("alert")).toContainText("failed: answered 500: receiver broke");
    const log = admin.getByRole("table", { name: "Delivery log" });
    await expect(log.getByRole("row").filter({ hasText: "sent 200" })).toHaveCount(1);
    await expect(log.getByRole("row").filter({ hasText: "failed 500" })).toContainText("answered 500: receiver broke");
    // The page with a channel, a rule and both kinds of log rows, checked for accessibility.
    const axe = await new AxeBuilder({ page: admin }).analyze();
    expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes[0]?.target.join(" ")}`)).toEqual([]);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
