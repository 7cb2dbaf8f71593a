import { expect, test, type Browser, type Page } from "@playwright/test";
import { auth, call, pageFetch, uniq } from "./support";

/** User and role management: administrators in /users, team admins on the Teams page. */

async function passwordLogin(browser: Browser, email: string, password: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  await page.goto(`${auth.baseUrl}/login`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
  await page.waitForURL(`${auth.baseUrl}/`);
  return page;
}


test.describe("users and roles", () => {
  test("an administrator creates a user with a team role in the UI; the user gets exactly that role; disabling ends their session", async ({ browser, request }) => {
    const admin = await passwordLogin(browser, "admin@burnrate.local", auth.password);
    const email = `${uniq("ui-user")}@example.com`;
    await admin.goto(`${auth.baseUrl}/users`);
    await expect(admin.getByRole("heading", { name: "Users and roles" })).toBeVisible();
    await admin.getByRole("button", { name: "New user" }).click();
    // A visible field error, nothing stored.
    await admin.fill("#email", "not-an-email");
    await admin.fill("#password", "short");
    await admin.getByRole("button", { name: "Save user" }).click();
    await expect(admin.locator("[data-field=email] .field-error")).toHaveText("must be an email address");
    await admin.fill("#email", email);
    await admin.getByRole("button", { name: "Save user" }).click();
    await expect(admin.locator("[data-field=password] .field-error")).toHaveText("must be at least 12 characters");
    await admin.fill("#name", "Riley Reliability");
    await admin.fill("#password", "a long enough password");
    await admin.getByLabel("Add a team role").selectOption("payments");
    await admin.getByLabel("Role on payments", { exact: true }).selectOption("editor");
    await admin.getByRole("button", { name: "Save user" }).click();
    const row = admin.getByTestId(`user-${email}`);
    await expect(row).toContainText("editor · payments");
    await expect(row).toContainText("password");
    await admin.screenshot({ path: "test-results/screenshots/users.png", fullPage: true });

    const user = await passwordLogin(browser, email, "a long enough password");
    const me = JSON.parse((await pageFetch(user, "GET", "/api/auth/me")).text) as { roles: Record<string, string>; isAdmin: boolean };
    expect(me).toMatchObject({ roles: { payments: "editor" }, isAdmin: false });
    expect((await pageFetch(user, "POST", "/api/v1/services", { slug: uniq("ui-user-svc"), name: "x", team: "discovery" })).status).toBe(403);

    // The audit log shows who created whom, with the role.
    await admin.goto(`${auth.baseUrl}/audit`);
    await expect(admin.getByText(email).first()).toBeVisible();
    const audit = await call(request, "admin", "GET", "/api/v1/audit?take=10&entityType=user");
    const ev = (audit.body.items as { action: string; entitySlug: string; actor: string; after: { roles: Record<string, string> } }[]).find((e) => e.entitySlug === email);
    expect(ev).toMatchObject({ action: "user.create", actor: "admin@burnrate.local", after: { roles: { payments: "editor" } } });

    await admin.goto(`${auth.baseUrl}/users`);
    admin.once("dialog", (d) => void d.accept());
    await admin.getByTestId(`user-${email}`).getByRole("button", { name: "Disable" }).click();
    await expect(admin.getByTestId(`user-${email}`)).toContainText("disabled");
    expect((await pageFetch(user, "GET", "/api/auth/me")).status).toBe(401);
    const again = await request.post(`${auth.baseUrl}/api/auth/login`, { data: { email, password: "a long enough password" } });
    expect(again.status()).toBe(403);
    expect(await again.text()).toContain("this account is disabled");
    await user.context().close();
    await admin.context().close();
  });

  test("guard rails: no self-lockout, unknown teams are named, tokens of disabled users stop working", async ({ request }) => {
    const list = await call(request, "admin", "GET", "/api/v1/users");
    const self = (list.body.items as { id: string; email: string }[]).find((u) => u.email === "admin@burnrate.local");
    const demote = await call(request, "admin", "PATCH", `/api/v1/users/${self?.id}`, { isAdmin: false });
    expect(demote.status).toBe(422);
    expect(demote.body.error?.fields?.isAdmin).toBe("not for your own account");
    const disable = await call(request, "admin", "PATCH", `/api/v1/users/${self?.id}`, { disabled: true });
    expect(disable.status).toBe(422);
    const unknown = await call(request, "admin", "POST", "/api/v1/users", { email: `${uniq("u")}@example.com`, memberships: [{ team: "no-such-team", role: "editor" }] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error?.message).toBe('unknown team "no-such-team"');
    const dup = await call(request, "admin", "POST", "/api/v1/users", { email: "viewer@burnrate.local" });
    expect(dup.status).toBe(409);
    const extra = await call(request, "admin", "PATCH", `/api/v1/users/${self?.id}`, { email: "x@example.com" });
    expect(extra.status).toBe(422);

    // A token stops working while its user is disabled, and works again when re-enabled.
    const email = `${uniq("token-user")}@example.com`;
    const u = await call(request, "admin", "POST", "/api/v1/users", { email, password: "a long enough password" });
    const login = await request.post(`${auth.baseUrl}/api/auth/login`, { data: { email, password: "a long enough password" } });
    expect(login.status()).toBe(200);
    const tok = await request.post(`${auth.baseUrl}/api/v1/tokens`, { data: { name: "ci" }, headers: { origin: auth.baseUrl } });
    expect(tok.status(), await tok.text()).toBe(201);
    const tokBody = (await tok.json()) as { token: string; expiresAt: string };
    const token = tokBody.token;
    // Tokens expire after 90 days unless asked otherwise.
    expect(Math.round((Date.parse(tokBody.expiresAt) - Date.now()) / 86_400_000)).toBe(90);
    const badExpiry = await request.post(`${auth.baseUrl}/api/v1/tokens`, { data: { name: "x", expiresInDays: 0 }, headers: { origin: auth.baseUrl } });
    expect(badExpiry.status()).toBe(422);
    expect(((await badExpiry.json()) as { error: { fields: Record<string, string> } }).error.fields.expiresInDays).toBe("must be at least 1 day");
    await request.post(`${auth.baseUrl}/api/auth/logout`);
    const withToken = () => request.get(`${auth.baseUrl}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await withToken()).status()).toBe(200);
    expect((await call(request, "admin", "PATCH", `/api/v1/users/${String(u.body.id)}`, { disabled: true })).status).toBe(200);
    const refused = await withToken();
    expect(refused.status()).toBe(401);
    expect(await refused.text()).toContain("disabled user");
    expect((await call(request, "admin", "PATCH", `/api/v1/users/${String(u.body.id)}`, { disabled: false })).status).toBe(200);
    expect((await withToken()).status()).toBe(200);
  });

  test("a team admin manages their own team's members, and only theirs", async ({ browser, request }) => {
    const email = `${uniq("team-admin")}@example.com`;
    const member = `${uniq("member")}@example.com`;
    expect((await call(request, "admin", "POST", "/api/v1/users", { email, password: "a long enough password", memberships: [{ team: "payments", role: "admin" }] })).status).toBe(201);
    expect((await call(request, "admin", "POST", "/api/v1/users", { email: member, name: "New Member" })).status).toBe(201);
    const page = await passwordLogin(browser, email, "a long enough password");
    await page.goto(`${auth.baseUrl}/teams`);
    await page.getByTestId("team-payments").getByRole("button", { name: "Members" }).click();
    const panel = page.getByTestId("members-payments");
    await panel.getByLabel("Add by email").fill(member);
    await panel.getByLabel("Role", { exact: true }).selectOption("editor");
    await panel.getByRole("button", { name: "Add member" }).click();
    await expect(panel.getByLabel(`Role of ${member}`)).toHaveValue("editor");
    await page.screenshot({ path: "test-results/screenshots/team-members.png", fullPage: true });
    // Another team's members are visible but read only, and the API refuses changes there.
    await page.getByTestId("team-discovery").getByRole("button", { name: "Members" }).click();
    await expect(page.getByTestId("members-discovery").getByRole("button", { name: "Add member" })).toHaveCount(0);
    const other = await pageFetch(page, "PUT", `/api/v1/teams/discovery/members/${encodeURIComponent(member)}`, { role: "editor" });
    expect(other.status).toBe(403);
    expect((JSON.parse(other.text) as { error: { message: string } }).error.message).toBe('managing team members needs the admin role on team "discovery"');
    // Team admins cannot reach global user management (no link either).
    expect((await pageFetch(page, "GET", "/api/v1/users")).status).toBe(403);
    await expect(page.getByRole("link", { name: "Users and roles" })).toHaveCount(0);
    const audit = await call(request, "admin", "GET", `/api/v1/audit?take=5&actor=${encodeURIComponent(email)}`);
    expect((audit.body.items as { action: string; after: { member: string; role: string } }[])[0]).toMatchObject({ action: "team.member-set", after: { member, role: "editor" } });
    await page.context().close();
  });

  test("an expired API token is refused with the date, even for an administrator", async ({ request }) => {
    const r = await request.get(`${auth.baseUrl}/api/v1/teams`, { headers: { authorization: `Bearer ${auth.expiredToken}` } });
    expect(r.status()).toBe(401);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/^this API token expired on \d{4}-\d\d-\d\dT.*; create a new one under API tokens$/);
  });
});
