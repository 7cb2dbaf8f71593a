import { randomBytes } from "node:crypto";
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import { need } from "../support/e2e";
import { auth, call, uniq, type Role } from "./support";

/**
 * Regression tests of the security review "round 2", one per finding, against the app with login
 * enabled (and, for receiver secrets, the pushing replica and the real Alertmanager). Each failed
 * on the code before its fix.
 */

const ALL_READERS: Role[] = ["viewer", "payments-editor", "discovery-editor", "admin"];
type Revision = { id: string; target: { name: string; kind: string }; createdAt: string };

async function alertmanagerRevisions(request: APIRequestContext): Promise<Revision[]> {
  const r = await call(request, "admin", "GET", "/api/v1/revisions");
  expect(r.status, r.text).toBe(200);
  return ((r.body as { items: Revision[] }).items ?? []).filter((x) => x.target.kind === "alertmanager");
}

test.describe("security round 2", () => {
  test("finding 1: receiver secrets are never readable after save (revisions, diffs, audit, errors); Alertmanager still gets them", async ({ request }) => {
    const secretPath = `s3cret-path-${randomBytes(6).toString("hex")}`;
    const credential = `cred-${randomBytes(12).toString("hex")}`;
    const slackSecret = `SLACK${randomBytes(8).toString("hex")}`;
    const harness = new URL(need("E2E_HARNESS_URL"));
    const hookUrl = `http://127.0.0.1:${harness.port}/webhook/${secretPath}`;
    const slug = uniq("sec-hook");
    const slackSlug = uniq("sec-slack");
    const before = new Set((await alertmanagerRevisions(request)).map((r) => r.id));

    const hook = await call(request, "payments-editor", "POST", "/api/v1/receivers", { slug, name: "Secret hook", team: "payments", severities: ["page"], config: { kind: "webhook", url: hookUrl, sendResolved: true, authorization: credential } });
    expect(hook.status, hook.text).toBe(201);
    const slack = await call(request, "payments-editor", "POST", "/api/v1/receivers", { slug: slackSlug, name: "Secret slack", team: "payments", severities: ["ticket"], config: { kind: "slack", channel: "#pay", apiUrl: `http://127.0.0.1:9/services/T0/B0/${slackSecret}` } });
    expect(slack.status, slack.text).toBe(201);
    for (const r of [hook, slack]) for (const s of [secretPath, credential, slackSecret]) expect(r.text).not.toContain(s);

    // The pushing replica applies the change to the real Alertmanager within seconds.
    let fresh: Revision[] = [];
    await expect
      .poll(
        async () => {
          fresh = (await alertmanagerRevisions(request)).filter((r) => !before.has(r.id));
          for (const r of fresh) {
            const d = await call(request, "admin", "GET", `/api/v1/revisions/${r.id}`);
            if (d.text.includes(`payments/${slug}`) && d.text.includes(`payments/${slackSlug}`)) return true;
          }
          return false;
        },
        { timeout: 45_000, intervals: [500, 1000, 2000] },
      )
      .toBe(true);

    const secrets = [secretPath, credential, slackSecret];
    const leaks: string[] = [];
    const check = async (role: Role, path: string) => {
      const r = await call(request, role, "GET", path);
      for (const s of secrets) if (r.text.includes(s)) leaks.push(`${role} GET ${path} shows ${s}`);
    };
    for (const role of ALL_READERS) {
      await check(role, "/api/v1/revisions");
      for (const r of fresh) await check(role, `/api/v1/revisions/${r.id}`);
      await check(role, "/api/v1/receivers");
      await check(role, "/api/v1/targets");
    }
    await check("admin", "/api/v1/audit?take=50");
    expect(leaks, leaks.join("\n")).toEqual([]);
    const detail = await call(request, "admin", "GET", `/api/v1/revisions/${fresh[0]?.id ?? ""}`);
    expect(detail.text).toContain(`<secret:receiver/${slug}/url>`);

    // Alertmanager itself got the URL (its status API shows webhook URLs: keep it private) but
    // only a file reference for the credential and the Slack URL.
    const st = (await (await fetch(`${need("E2E_ALERTMANAGER_URL")}/api/v2/status`)).json()) as { config: { original: string } };
    expect(st.config.original).toContain(secretPath);
    expect(st.config.original).not.toContain(credential);
    expect(st.config.original).not.toContain(slackSecret);
    expect(st.config.original).toContain(`receiver__${slug}__authorization`);

    // Deleted receivers leave nothing behind either.
    expect((await call(request, "admin", "DELETE", `/api/v1/receivers/${slug}`)).status).toBe(204);
    expect((await call(request, "admin", "DELETE", `/api/v1/receivers/${slackSlug}`)).status).toBe(204);
    for (const r of fresh) await check("viewer", `/api/v1/revisions/${r.id}`);
    expect(leaks, leaks.join("\n")).toEqual([]);
  });

  test("finding 2: a deployment's external id is scoped to its service; another team cannot take it over", async ({ request }) => {
    const externalId = uniq("takeover");
    const body = (service: string) => ({ service, sha: "0123456789abcdef0123456789abcdef01234567", result: "success", finishedAt: new Date().toISOString(), externalId, version: service });
    const mine = await call(request, "payments-editor", "POST", "/api/v1/deployments", body("checkout"));
    expect(mine.status, mine.text).toBeLessThan(300);
    const theirs = await call(request, "discovery-editor", "POST", "/api/v1/deployments", body("search"));
    expect(theirs.status, theirs.text).toBeLessThan(300);
    expect(theirs.body.id).not.toBe(mine.body.id);
    const checkout = ((await call(request, "admin", "GET", "/api/v1/deployments?service=checkout")).body as { items: { id: string; service: string; version: string }[] }).items;
    expect(checkout.find((d) => d.id === mine.body.id)).toMatchObject({ service: "checkout", version: "checkout" });
    // Redelivery for the same service updates the same deployment.
    const again = await call(request, "payments-editor", "POST", "/api/v1/deployments", { ...body("checkout"), version: "checkout-2" });
    expect(again.body.id).toBe(mine.body.id);
  });

  test("finding 3: the Alertmanager webhook needs its token and a JSON body", async ({ request }) => {
    const url = `${auth.baseUrl}/api/v1/webhooks/alertmanager`;
    const payload = JSON.stringify({ version: "4", groupKey: "{}:{}", truncatedAlerts: 0, status: "firing", receiver: "burnrate-default", groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: "http://alertmanager.invalid", alerts: [] });
    const token = need("E2E_WEBHOOK_TOKEN");
    const none = await request.post(url, { data: Buffer.from(payload), headers: { "content-type": "application/json" } });
    expect(none.status()).toBe(401);
    const wrong = await request.post(url, { data: Buffer.from(payload), headers: { "content-type": "application/json", authorization: `Bearer ${token}x` } });
    expect(wrong.status()).toBe(401);
    // A cross-site "simple" request: text/plain, even with a JSON-looking parameter.
    const simple = await request.post(url, { data: Buffer.from(payload), headers: { "content-type": "text/plain; a=application/json", authorization: `Bearer ${token}` } });
    expect(simple.status()).toBe(400);
    const ok = await request.post(url, { data: Buffer.from(payload), headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${token}` } });
    expect(ok.status(), await ok.text()).toBe(200);
  });

  test("finding 5: strangers failing on an email cannot lock its owner out of a known device; forwarded headers earn no fresh limit", async ({ request }) => {
    const email = `${uniq("lockout")}@example.com`;
    const password = `pw-${randomBytes(9).toString("base64url")}`;
    const created = await call(request, "admin", "POST", "/api/v1/users", { email, name: "Lock-out probe", password, memberships: [] });
    expect(created.status, created.text).toBe(201);
    const owner = await playwrightRequest.newContext();
    const stranger = await playwrightRequest.newContext();
    try {
      const login = (ctx: APIRequestContext, pw: string, headers: Record<string, string> = {}) => ctx.post(`${auth.baseUrl}/api/auth/login`, { data: { email, password: pw }, headers });
      expect((await login(owner, password)).status()).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await login(stranger, `wrong-${i}`, { "x-forwarded-for": `203.0.113.${i + 1}` })).status());
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
      // The right password from an unknown device waits too, but the owner's browser gets in.
      expect((await login(stranger, password, { "x-forwarded-for": "198.51.100.77" })).status()).toBe(429);
      const mine = await login(owner, password);
      expect(mine.status(), await mine.text()).toBe(200);
    } finally {
      await owner.dispose();
      await stranger.dispose();
    }
  });

  test("finding 6: CSRF edges: exact media type, forwarded host not trusted, malformed Referer, foreign login Origin", async ({ request }) => {
    const ctx = await playwrightRequest.newContext();
    try {
      const login = await ctx.post(`${auth.baseUrl}/api/auth/login`, { data: { email: "payments-editor@burnrate.local", password: auth.password } });
      expect(login.status()).toBe(200);
      const body = JSON.stringify({ slug: uniq("csrf"), name: "CSRF", team: "payments" });
      const post = (headers: Record<string, string>) => ctx.post(`${auth.baseUrl}/api/v1/services`, { data: Buffer.from(body), headers });
      const spoofedHost = await post({ "content-type": "application/json", origin: "https://evil.example", "x-forwarded-host": "evil.example" });
      expect(spoofedHost.status(), await spoofedHost.text()).toBe(403);
      const textPlain = await post({ "content-type": "text/plain; charset=application/json", origin: auth.baseUrl });
      expect(textPlain.status(), await textPlain.text()).toBe(400);
      const badReferer = await post({ "content-type": "application/json", origin: "", referer: "http://[not a url" });
      expect(badReferer.status(), await badReferer.text()).toBe(403);
    } finally {
      await ctx.dispose();
    }
    const foreign = await request.post(`${auth.baseUrl}/api/auth/login`, { data: { email: "viewer@burnrate.local", password: auth.password }, headers: { origin: "https://evil.example" } });
    expect(foreign.status()).toBe(403);
    const logout = await request.post(`${auth.baseUrl}/api/auth/logout`, { headers: { origin: "https://evil.example" } });
    expect(logout.status()).toBe(403);
  });

  test("finding 4: a hostile import is refused while other requests still answer at once", async ({ request }) => {
    const hostile = `${"[".repeat(400_000)}${"]".repeat(400_000)}`.slice(0, 999_000);
    const heavy = Array.from({ length: 20 }, () => call(request, "admin", "POST", "/api/v1/import?format=openslo", hostile, "application/yaml"));
    const t0 = Date.now();
    const health = await request.get(`${auth.baseUrl}/api/health`);
    const elapsed = Date.now() - t0;
    expect(health.status()).toBe(200);
    // Before, each such import held the event loop for seconds (20 of them: minutes).
    expect(elapsed).toBeLessThan(3000);
    for (const r of await Promise.all(heavy)) {
      expect(r.status, r.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
  });

  test("finding 6: token lifetimes, disabled targets, private receiver addresses, metrics, security headers", async ({ request }) => {
    // A short-lived token cannot mint a longer-lived or never-expiring one.
    const short = await call(request, "admin", "POST", "/api/v1/tokens", { name: uniq("short"), expiresInDays: 1 });
    expect(short.status, short.text).toBe(201);
    const viaShort = (body: unknown) => request.post(`${auth.baseUrl}/api/v1/tokens`, { data: body, headers: { authorization: `Bearer ${String(short.body.token)}` } });
    expect((await viaShort({ name: uniq("forever"), expiresInDays: null })).status()).toBe(422);
    expect((await viaShort({ name: uniq("longer"), expiresInDays: 30 })).status()).toBe(422);

    // Editors cannot push to a target an administrator disabled.
    const target = await call(request, "admin", "POST", "/api/v1/targets", { name: uniq("disabled"), kind: "prometheus", url: "http://127.0.0.1:9", mode: "file", settings: { rulesDir: "/nonexistent/burnrate-disabled" }, enabled: false });
    expect(target.status, target.text).toBe(201);
    try {
      const forced = await call(request, "payments-editor", "POST", `/api/v1/targets/${String(target.body.id)}/sync?force=1`);
      expect(forced.status, forced.text).toBe(403);
    } finally {
      await call(request, "admin", "DELETE", `/api/v1/targets/${String(target.body.id)}`);
    }

    // Receivers on private addresses need an administrator's allow-list (the suite lists 127.0.0.1 only).
    const priv = await call(request, "payments-editor", "POST", "/api/v1/receivers", { slug: uniq("priv"), name: "Private", team: "payments", severities: ["page"], config: { kind: "webhook", url: "http://10.1.2.3/hook", sendResolved: true } });
    expect(priv.status, priv.text).toBe(422);
    expect(priv.body.error?.fields?.["config.url"]).toContain("BURNRATE_RECEIVER_ALLOW");

    // An SLO may not use another team's budget policy.
    const slo = (await call(request, "admin", "GET", "/api/v1/slos/checkout-availability")).body as Record<string, unknown>;
    const foreign = await call(request, "payments-editor", "PUT", "/api/v1/slos/checkout-availability", { slug: slo.slug, name: slo.name, description: slo.description, service: slo.service, sli: slo.sli, objective: slo.objective, window: slo.window, budgetingMethod: slo.budgetingMethod, alerting: slo.alerting, labels: slo.labels, policy: "discovery-default", version: slo.version });
    expect(foreign.status, foreign.text).toBe(422);
    expect(foreign.body.error?.fields?.policy).toBe("belongs to another team");

    // Metrics need the scrape token or a signed-in caller.
    expect((await request.get(`${auth.baseUrl}/api/metrics`)).status()).toBe(401);
    expect((await call(request, "viewer", "GET", "/api/metrics")).status).toBe(200);

    const page = await request.get(`${auth.baseUrl}/login`);
    const h = page.headers();
    expect(h["x-frame-options"]).toBe("DENY");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  });
});
