import { expect, test, type APIResponse, type Browser, type Page } from "@playwright/test";
import { auth, call } from "./support";

/**
 * Single sign-on against a real OpenID Provider (panva's oidc-provider, started by the global
 * setup with role mapping "sre=admin, payments-devs=payments:editor, managers=*:viewer" and allowed
 * domains example.com and burnrate.local). The IdP's own login page accepts any login; the login
 * picks the account (support/oidc-idp.ts).
 */

const idpUrl = () => auth.idpUrl;

/** Clicks "Sign in with Example SSO", signs in on the IdP's page, consents, and waits to be back. */
async function ssoLogin(page: Page, login: string, next = "/"): Promise<void> {
  await page.goto(`${auth.baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.getByTestId("sso-login").click();
  await page.waitForURL((u) => u.href.startsWith(idpUrl()));
  await page.fill("input[name=login]", login);
  await page.fill("input[name=password]", "anything");
  await page.click("button[type=submit]");
  // First sign-in of this client: the IdP asks for consent.
  await page.waitForURL((u) => !u.href.startsWith(idpUrl()) || u.pathname.includes("interaction"));
  if (page.url().startsWith(idpUrl())) await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL((u) => u.href.startsWith(auth.baseUrl));
}

async function me(page: Page): Promise<{ status: number; body: { email?: string; isAdmin?: boolean; roles?: Record<string, string>; via?: string } }> {
  return page.evaluate(async () => {
    const r = await fetch("/api/auth/me");
    return { status: r.status, body: (await r.json()) as { email?: string } };
  });
}

/** A refused round trip: back to /login?sso=failed, the reason in a short-lived httpOnly cookie (never in the URL). */
function failure(res: APIResponse): string {
  expect(res.status()).toBe(303);
  const loc = new URL(res.headers().location ?? "", auth.baseUrl);
  expect(`${loc.pathname}${loc.search}`).toBe("/login?sso=failed");
  const m = /burnrate_login_error=([^;]*);[^\n]*HttpOnly/i.exec(res.headers()["set-cookie"] ?? "");
  return decodeURIComponent(m?.[1] ?? "");
}

function nextOf(res: APIResponse): string {
  const m = /burnrate_oidc=([^;]+)/.exec(res.headers()["set-cookie"] ?? "");
  return (JSON.parse(decodeURIComponent(m?.[1] ?? "{}")) as { next?: string }).next ?? "";
}

async function fresh(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  return ctx.newPage();
}

test.describe("single sign-on (OpenID Connect)", () => {
  test("a new SSO user is provisioned with roles from their groups and lands where they wanted", async ({ page, request }) => {
    await page.goto(`${auth.baseUrl}/login`);
    await expect(page.getByTestId("sso-login")).toHaveText("Sign in with Example SSO");
    await page.screenshot({ path: "test-results/screenshots/login-sso.png" });
    await ssoLogin(page, "sso-payments@example.com", "/slos");
    expect(new URL(page.url()).pathname).toBe("/slos");
    await expect(page.getByTestId("nav-user")).toContainText("Pat Payments");
    const who = await me(page);
    expect(who.status).toBe(200);
    expect(who.body.email).toBe("sso-payments@example.com");
    expect(who.body.via).toBe("session");
    expect(who.body.isAdmin).toBe(false);
    // payments-devs → editor on payments; managers → viewer everywhere else.
    expect(who.body.roles?.payments).toBe("editor");
    expect(who.body.roles?.discovery).toBe("viewer");
    // The role is enforced: the SSO user may change payments but not discovery.
    const ok = await page.evaluate(async () => (await fetch("/api/v1/sync", { method: "POST" })).status);
    expect(ok).not.toBe(403);
    const users = await call(request, "admin", "GET", "/api/v1/users");
    const u = (users.body.items as { email: string; sso: boolean; hasPassword: boolean; lastLoginAt: string | null }[]).find((x) => x.email === "sso-payments@example.com");
    expect(u).toMatchObject({ sso: true, hasPassword: false });
    expect(u?.lastLoginAt).not.toBeNull();
    const audit = await call(request, "admin", "GET", `/api/v1/audit?take=20&entityType=user`);
    const actions = (audit.body.items as { action: string; entitySlug: string }[]).filter((e) => e.entitySlug === "sso-payments@example.com").map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["user.create", "user.roles-from-sso"]));
  });

  test("a user an administrator created first is linked by email, and group mapping makes them an administrator", async ({ browser, request }) => {
    const created = await call(request, "admin", "POST", "/api/v1/users", { email: "sso-lead@example.com", name: "", memberships: [] });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ sso: false, hasPassword: false, isAdmin: false });
    const page = await fresh(browser);
    await ssoLogin(page, "sso-lead@example.com");
    const who = await me(page);
    expect(who.body).toMatchObject({ email: "sso-lead@example.com", isAdmin: true });
    const users = await call(request, "admin", "GET", "/api/v1/users");
    const u = (users.body.items as { id: string; email: string; sso: boolean; name: string }[]).find((x) => x.email === "sso-lead@example.com");
    expect(u).toMatchObject({ id: created.body.id, sso: true, name: "Lee Lead" });
    await page.goto(`${auth.baseUrl}/users`);
    await expect(page.getByTestId("user-sso-payments@example.com")).toContainText("SSO");
    await page.context().close();
  });

  test("refused identities come back to the login page with the reason", async ({ browser }) => {
    for (const [login, reason] of [
      ["someone@evil.io", "accounts from evil.io may not sign in here (allowed: example.com, burnrate.local)"],
      ["unverified@example.com", "the identity provider has not verified unverified@example.com"],
      // No email_verified claim: could be anybody's address (nOAuth), so not trusted by default.
      ["no-verified-claim@example.com", "the identity provider did not say that no-verified-claim@example.com is verified (no email_verified claim); if it only issues verified addresses, set BURNRATE_OIDC_TRUST_EMAIL=on"],
      // A role mapping is configured but the groups claim is missing: roles would be wiped.
      ["no-groups@example.com", 'the identity provider sent no "groups" claim, so roles cannot be derived from BURNRATE_OIDC_ROLE_MAPPING; add the claim (or its scope, see BURNRATE_OIDC_SCOPES) for this client'],
      // The seeded administrator has a password: never linked to SSO automatically.
      ["admin@burnrate.local", "admin@burnrate.local is an administrator account with a password; for safety it is not linked to single sign-on automatically. Sign in with the password"],
    ] as const) {
      const page = await fresh(browser);
      await ssoLogin(page, login);
      expect(new URL(page.url()).pathname).toBe("/login");
      expect(new URL(page.url()).searchParams.get("error"), "the reason is not in the URL").toBeNull();
      await expect(page.locator(".alert-error")).toHaveText(reason);
      if (login === "someone@evil.io") await page.screenshot({ path: "test-results/screenshots/login-sso-refused.png" });
      expect((await me(page)).status).toBe(401);
      // Shown once: a reload shows a generic message, not the reason again.
      await page.reload();
      await expect(page.locator(".alert-error")).toHaveText("Single sign-on failed; try again");
      await page.context().close();
    }
  });

  test("a forged or replayed callback is refused, and next= cannot redirect off-site", async ({ request }) => {
    // No login state cookie (another browser, or the round trip expired).
    const bare = await request.get(`${auth.baseUrl}/api/auth/oidc/callback?code=abc&state=def`, { maxRedirects: 0 });
    expect(failure(bare)).toBe("the sign-in took too long or was started in another browser; try again");
    // A real start, then a callback whose state does not match it.
    const start = await request.get(`${auth.baseUrl}/api/auth/oidc/start?next=/slos`, { maxRedirects: 0 });
    expect(start.status()).toBe(302);
    const to = new URL(start.headers().location ?? "");
    expect(to.origin).toBe(idpUrl());
    expect(to.searchParams.get("code_challenge_method")).toBe("S256");
    expect(to.searchParams.get("redirect_uri")).toBe(`${auth.baseUrl}/api/auth/oidc/callback`);
    expect(start.headers()["set-cookie"]).toMatch(/burnrate_oidc=.*HttpOnly/i);
    expect(nextOf(start)).toBe("/slos");
    const forged = await request.get(`${auth.baseUrl}/api/auth/oidc/callback?code=abc&state=not-the-state&iss=${encodeURIComponent(idpUrl())}`, { maxRedirects: 0 });
    expect(failure(forged)).toMatch(/^sign-in could not be completed: .*state/i);
    // next= is reduced to a path on this site, however the browser would resolve it.
    for (const evil of ["//evil.example/x", "/\\evil.example", "/\t/evil.example", "/%09/evil.example", "https://evil.example/", "/\n/evil.example"]) {
      const r = await request.get(`${auth.baseUrl}/api/auth/oidc/start?next=${encodeURIComponent(evil)}`, { maxRedirects: 0 });
      expect(nextOf(r), `next=${JSON.stringify(evil)}`).toMatch(/^\/(?![/\\])/);
      expect(new URL(nextOf(r), "http://x.invalid").origin, `next=${JSON.stringify(evil)}`).toBe("http://x.invalid");
    }
    const bad = await request.get(`${auth.baseUrl}/api/auth/oidc/callback?error=access_denied&error_description=User%20cancelled&state=x`, { maxRedirects: 0 });
    expect(failure(bad)).toBe("the identity provider refused the sign-in: User cancelled");
  });

  test("disabling an SSO user ends their session and refuses their next sign-in", async ({ browser, request }) => {
    const page = await fresh(browser);
    await ssoLogin(page, "sso-disable@example.com");
    expect((await me(page)).status).toBe(200);
    const users = await call(request, "admin", "GET", "/api/v1/users");
    const u = (users.body.items as { id: string; email: string; roles: Record<string, string> }[]).find((x) => x.email === "sso-disable@example.com");
    expect(u, "provisioned on first sign-in").toBeTruthy();
    expect(u?.roles).toEqual({}); // no mapped groups: read only
    const off = await call(request, "admin", "PATCH", `/api/v1/users/${u?.id}`, { disabled: true });
    expect(off.status, off.text).toBe(200);
    expect((await me(page)).status).toBe(401);
    await page.context().clearCookies({ domain: "127.0.0.1" });
    await ssoLogin(page, "sso-disable@example.com");
    expect(new URL(page.url()).pathname).toBe("/login");
    await expect(page.locator(".alert-error")).toHaveText("this account is disabled; ask an administrator");
    await page.context().close();
  });
});
