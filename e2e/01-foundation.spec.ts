import { expect, test, type Browser, type Page } from "@playwright/test";
import { ADMIN, closeContexts, databaseBytes, formAlert, OPERATOR, signIn, VIEWER } from "./support";

test.describe.configure({ mode: "serial" });
test.afterAll(({ browser }) => closeContexts(browser));

async function newSignedInPage(browser: Browser, user: typeof ADMIN): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, user);
  return page;
}

async function createUser(page: Page, user: typeof ADMIN, role: string) {
  await page.goto("/settings/users");
  const form = page.getByRole("region", { name: "Create user" });
  await form.getByLabel("Name").fill(user.name);
  await form.getByLabel("Email").fill(user.email);
  await form.getByLabel("Initial password").fill(user.password);
  await form.getByLabel("Role").selectOption(role);
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.getByRole("status")).toContainText(`Created ${user.email} as ${role}`);
}

test("first-run setup creates the admin, then disappears", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel("Name").fill(ADMIN.name);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Confirm password").fill("short");
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Password: must be at least 12 characters" })).toBeVisible();
  // What was typed stays after a validation error.
  await expect(page.getByLabel("Name")).toHaveValue(ADMIN.name);
  await expect(page.getByLabel("Email")).toHaveValue(ADMIN.email);

  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Confirm password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByRole("status")).toContainText("Administrator created");

  await signIn(page, ADMIN);
  await expect(page.getByTestId("current-user")).toContainText(ADMIN.email);
  await expect(page.getByLabel("Role: admin")).toBeVisible();
  for (const item of ["Dashboard", "Clusters", "Configurations", "Compliance", "Audit", "Settings"]) {
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: item })).toBeVisible();
  }

  const setupAgain = await page.goto("/setup");
  expect(setupAgain?.status()).toBe(404);
});

test("admin creates an operator and a viewer", async ({ browser }) => {
  const admin = await newSignedInPage(browser, ADMIN);
  await createUser(admin, OPERATOR, "operator");
  await createUser(admin, VIEWER, "viewer");
  await expect(admin.getByRole("cell", { name: `${VIEWER.name} ${VIEWER.email}` })).toBeVisible();
  // A duplicate is refused with the field named.
  const form = admin.getByRole("region", { name: "Create user" });
  await form.getByLabel("Name").fill("Again");
  await form.getByLabel("Email").fill(VIEWER.email);
  await form.getByLabel("Initial password").fill("another-long-password");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.getByText("Email: a user with this email already exists")).toBeVisible();
});

test("a wrong password is rejected and the rate limit locks the account", async ({ page }) => {
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.goto("/login");
    await page.getByLabel("Email").fill(OPERATOR.email);
    await page.getByLabel("Password").fill(`wrong-password-${attempt}`);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(formAlert(page)).toHaveText("Wrong email or password.");
  }
  // Locked now: even the right password is refused, without a password check.
  await page.getByLabel("Email").fill(OPERATOR.email);
  await page.getByLabel("Password").fill(OPERATOR.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(formAlert(page)).toContainText("Too many failed attempts");
  await expect(page).toHaveURL(/\/login/);
});

test("a viewer sees no admin pages and cannot create users", async ({ browser }) => {
  const viewer = await newSignedInPage(browser, VIEWER);
  await expect(viewer.getByLabel("Role: viewer")).toBeVisible();
  await viewer.goto("/settings");
  await expect(viewer.getByRole("link", { name: /Users and roles/ })).toHaveCount(0);
  const response = await viewer.goto("/settings/users");
  expect(response?.status()).toBe(403);
  await expect(viewer.getByRole("heading", { name: "Your role does not allow this" })).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Create user" })).toHaveCount(0);
});

test("raw POSTs to a server action without a session or as a viewer change nothing and are audited", async ({ browser, playwright, baseURL }) => {
  const admin = await newSignedInPage(browser, ADMIN);
  await admin.goto("/settings/users");
  // Capture a real create-user action request, then replay its exact body with other credentials.
  const form = admin.getByRole("region", { name: "Create user" });
  await form.getByLabel("Name").fill("Template");
  await form.getByLabel("Email").fill("template@fleetline.test");
  await form.getByLabel("Initial password").fill("template-password-1");
  const [request] = await Promise.all([
    admin.waitForRequest((r) => r.method() === "POST" && Boolean(r.headers()["next-action"])),
    form.getByRole("button", { name: "Create user" }).click(),
  ]);
  await expect(form.getByRole("status")).toContainText("Created template@fleetline.test");
  const body = request.postDataBuffer()!;
  const replayBody = Buffer.from(body.toString("latin1").replaceAll("template@fleetline.test", "intruder@fleetline.test"), "latin1");
  const headers = {
    "next-action": request.headers()["next-action"]!,
    "content-type": request.headers()["content-type"]!,
    accept: "text/x-component",
    origin: baseURL!,
  };

  const anonymous = await playwright.request.newContext({ baseURL });
  const noSession = await anonymous.post("/settings/users", { headers, data: replayBody });
  expect(noSession.status()).toBe(401);

  const viewerPage = await newSignedInPage(browser, VIEWER);
  const viewerRequest = viewerPage.context().request;
  const asViewer = await viewerRequest.post("/settings/users", { headers, data: replayBody });
  expect(asViewer.status()).toBe(403);

  // The admin's own session, but from a foreign origin (a cross-site form post): refused.
  const crossSite = await admin.context().request.post("/settings/users", { headers: { ...headers, origin: "https://evil.example" }, data: replayBody });
  expect(crossSite.status()).toBe(403);

  await admin.goto("/settings/users");
  await expect(admin.getByText("intruder@fleetline.test")).toHaveCount(0);

  await admin.goto("/audit?action=user.create&outcome=denied");
  const rows = admin.getByRole("row");
  await expect(rows.filter({ hasText: "anonymous" })).toHaveCount(1);
  await expect(rows.filter({ hasText: VIEWER.email })).toHaveCount(1);
  await expect(rows.filter({ hasText: VIEWER.email })).toContainText("lacks users.write");
});

test("disabling a user ends their session", async ({ browser }) => {
  const viewer = await newSignedInPage(browser, VIEWER);
  const admin = await newSignedInPage(browser, ADMIN);
  await admin.goto("/settings/users");
  await admin.getByRole("button", { name: `Disable ${VIEWER.email}` }).click();
  await expect(admin.getByRole("button", { name: `Enable ${VIEWER.email}` })).toBeVisible();
  await viewer.goto("/");
  await expect(viewer).toHaveURL(/\/login/);
  await viewer.getByLabel("Email").fill(VIEWER.email);
  await viewer.getByLabel("Password").fill(VIEWER.password);
  await viewer.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(formAlert(viewer)).toContainText("disabled");
});

test("audit shows sign-ins and refusals, exports CSV, and never a password", async ({ browser }) => {
  const admin = await newSignedInPage(browser, ADMIN);
  await admin.goto("/audit");
  await expect(admin.getByRole("cell", { name: "auth.login" }).first()).toBeVisible();
  await admin.goto("/audit?outcome=failed");
  await expect(admin.getByRole("row").filter({ hasText: OPERATOR.email })).toHaveCount(5);

  const [download] = await Promise.all([admin.waitForEvent("download"), admin.getByRole("link", { name: "Export CSV" }).click()]);
  const csv = await (await download.createReadStream()).toArray();
  const text = Buffer.concat(csv).toString("utf8");
  expect(text.split("\r\n")[0]).toBe("id,at,actor,role,action,target_type,target_id,target_name,outcome,ip,summary,details");
  expect(text.match(/auth\.login/g)?.length).toBe(5);

  await admin.goto("/audit");
  const html = await admin.content();
  const dump = databaseBytes().toString("latin1");
  for (const secret of [ADMIN.password, VIEWER.password, OPERATOR.password, "template-password-1", "wrong-password-1"]) {
    expect(html).not.toContain(secret);
    expect(text).not.toContain(secret);
    expect(dump).not.toContain(secret);
  }
});

// A click before the page's scripts have loaded submits a form natively. Without a method that
// was a GET: a password or token landed in the address bar, the browser's history and access logs.
// Sign-in, registration and the wizard now stay disabled until hydrated; every other form posts.
test("forms submitted before scripts run never put a password in the URL", async ({ browser }) => {
  const signedIn = await newSignedInPage(browser, ADMIN);
  const contexts = [
    await browser.newContext({ javaScriptEnabled: false }),
    await browser.newContext({ javaScriptEnabled: false, storageState: await signedIn.context().storageState() }),
  ];
  const requests: string[] = [];
  for (const context of contexts) context.on("request", (r) => requests.push(r.url()));
  const login = await contexts[0]!.newPage();
  await login.goto("/login");
  await expect(login.getByRole("button", { name: "Sign in", exact: true })).toBeDisabled();
  await expect(login.getByLabel("Password")).toBeDisabled();
  await expect(login.locator("form").first()).toHaveAttribute("method", "post");

  const users = await contexts[1]!.newPage();
  await users.goto("/settings/users");
  const form = users.getByRole("region", { name: "Create user" });
  await form.getByLabel("Email").fill("nojs@fleetline.test");
  await form.getByLabel("Initial password").fill(ADMIN.password);
  await form.getByRole("button", { name: "Create user" }).click();
  await users.waitForLoadState();

  expect(requests.length).toBeGreaterThan(2);
  const leaked = requests.filter((url) => url.includes(encodeURIComponent(ADMIN.password)));
  expect(leaked.length, "requests whose URL carries the password").toBe(0);
  for (const context of [...contexts, signedIn.context()]) await context.close();
});
