// Issue 14 (UI): the UI knows the user's rights before they type, forms default to the user's team,
// figures read at a glance on a desktop, a phone (390 px) and on paper, and a team can send a test
// notification through its alert receiver. Screenshots go to test-results/screenshots/ for review.
import { createServer } from "node:net";
import { expect, test, type Page } from "@playwright/test";
import { harness, screenshot } from "../support/e2e";
import { auth, call, login, uniq } from "./support";

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Nothing on the page is wider than the viewport (no sideways scrolling of the whole page). */
async function expectNoPageOverflow(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, "page width").toBeLessThanOrEqual(client);
}

test.describe("permissions in forms", () => {
  test("a viewer sees read-only forms and no Sync now / Push now / New SLI", async ({ page }) => {
    await login(page, "viewer@burnrate.local");
    await page.goto(`${auth.baseUrl}/targets`);
    await expect(page.getByRole("heading", { name: "Push targets" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Sync now" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Push now" })).toHaveCount(0);
    await page.goto(`${auth.baseUrl}/slis`);
    await expect(page.getByRole("heading", { name: "SLIs" })).toBeVisible();
    await expect(page.getByRole("button", { name: "New SLI" })).toHaveCount(0);
    await page.goto(`${auth.baseUrl}/slos/checkout-availability/edit`);
    await expect(page.getByTestId("read-only-reason")).toContainText('viewer of team "payments"');
    await expect(page.locator("#objective")).toBeDisabled();
    await expect(page.getByRole("button", { name: "Save changes" })).toHaveCount(0);
    await page.goto(`${auth.baseUrl}/receivers`);
    await expect(page.getByTestId("receiver-payments-oncall")).toBeVisible();
    await expect(page.getByRole("button", { name: "Send test notification" })).toHaveCount(0);
  });

  test("an editor of payments: discovery's SLO form is read-only with the reason; new forms start on payments", async ({ page, request }) => {
    test.setTimeout(120_000);
    // The team's default policy, set by an administrator, is what a new payments SLO starts with.
    const team = await call(request, "admin", "GET", "/api/v1/teams/payments");
    const set = await call(request, "admin", "PUT", "/api/v1/teams/payments", { slug: "payments", name: team.body.name, description: team.body.description, defaultPolicy: "payments-default", version: team.body.version });
    expect(set.status, set.text).toBe(200);
    expect(set.body.defaultPolicy).toBe("payments-default");
    const foreign = await call(request, "admin", "PUT", "/api/v1/teams/payments", { slug: "payments", name: team.body.name, description: team.body.description, defaultPolicy: "discovery-default", version: set.body.version });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error?.fields?.defaultPolicy).toContain('belongs to team "discovery"');

    await login(page, "payments-editor@burnrate.local");
    await page.goto(`${auth.baseUrl}/slos/search-availability/edit`);
    await expect(page.getByTestId("read-only-reason")).toContainText('team "discovery"');
    await expect(page.locator("#name")).toBeDisabled();
    await expect(page.getByRole("button", { name: "Save changes" })).toHaveCount(0);
    await screenshot(page, "ui14-readonly-foreign-slo", { fullPage: false });

    // New SLO: the service is one of payments', the policy the team's default; only payments services are offered.
    await page.goto(`${auth.baseUrl}/slos/new`);
    await expect(page.locator("#service")).toHaveValue(/^(checkout|payments)$/);
    await expect(page.locator("#policy")).toHaveValue("payments-default");
    const offered = await page.locator("#service option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(offered.sort()).toEqual(["checkout", "payments"]);
    // The slug follows the name; a stale error clears once the value is fixed.
    await page.fill("#name", "Checkout Refunds (EU)");
    await expect(page.locator("#slug")).toHaveValue("checkout-refunds-eu");
    await page.fill("#objective", "100.5");
    await page.getByRole("button", { name: "Create SLO" }).click();
    await expect(page.locator("#objective-error")).toBeVisible();
    await page.fill("#objective", "99.5");
    await expect(page.locator("#objective-error")).toHaveCount(0);
    // An empty service reads "choose a service".
    await page.selectOption("#service", "");
    await page.getByRole("button", { name: "Create SLO" }).click();
    await expect(page.locator("#service-error")).toHaveText("choose a service");

    // The server applies the same default when the API names no policy, and none when it says null.
    const sli = (await call(request, "payments-editor", "GET", "/api/v1/slis?service=checkout")).body as unknown as { items: { slug: string }[] };
    const base = { name: "Default policy probe", service: "checkout", sli: sli.items[0]?.slug, objective: 99 };
    const withDefault = await call(request, "payments-editor", "POST", "/api/v1/slos", { ...base, slug: uniq("dp") });
    expect(withDefault.status, withDefault.text).toBe(201);
    expect(withDefault.body.policy).toBe("payments-default");
    const without = await call(request, "payments-editor", "POST", "/api/v1/slos", { ...base, slug: uniq("dp"), policy: null });
    expect(without.status, without.text).toBe(201);
    expect(without.body.policy).toBeNull();
    for (const s of [withDefault, without]) expect((await call(request, "admin", "DELETE", `/api/v1/slos/${String(s.body.slug)}`)).status).toBe(204);
    const cur = await call(request, "admin", "GET", "/api/v1/teams/payments");
    await call(request, "admin", "PUT", "/api/v1/teams/payments", { slug: "payments", name: cur.body.name, description: cur.body.description, defaultPolicy: null, version: cur.body.version });
  });

  test("the New SLI form starts on the editor's team, derives the slug and warns about a metric with no series", async ({ page }) => {
    test.setTimeout(120_000);
    await login(page, "payments-editor@burnrate.local");
    await page.goto(`${auth.baseUrl}/slis?service=search`);
    await page.getByRole("button", { name: "New SLI" }).click();
    // ?service=search is discovery's: the form opens on a payments service instead.
    await expect(page.locator("#service")).toHaveValue(/^(checkout|payments)$/);
    await page.fill("#name", "Refund errors");
    await expect(page.locator("#slug")).toHaveValue("refund-errors");
    await page.fill("#metric", "http_requests_totl");
    await expect(page.getByTestId("metric-missing")).toContainText("No series found", { timeout: 15_000 });
    await expect(page.getByTestId("metric-missing").getByRole("button", { name: "http_requests_total" })).toBeVisible();
    await screenshot(page, "ui14-sli-metric-hint", { fullPage: false });
    await page.getByTestId("metric-missing").getByRole("button", { name: "http_requests_total" }).click();
    await expect(page.locator("#metric")).toHaveValue("http_requests_total");
    await expect(page.getByTestId("metric-found")).toBeVisible({ timeout: 15_000 });
    // An empty service reads "choose a service", not a slug-length rule.
    await page.selectOption("#service", "");
    await page.getByRole("button", { name: "Save SLI" }).click();
    await expect(page.locator("#service-error")).toHaveText("choose a service");
  });

  test("a team admin edits their team (default policy) but not another team; admins see every team's controls", async ({ page, request }) => {
    test.setTimeout(180_000);
    const email = `${uniq("teamadmin")}@burnrate.local`;
    const made = await call(request, "admin", "POST", "/api/v1/users", { email, name: "Payments lead", password: auth.password, memberships: [{ team: "payments", role: "admin" }] });
    expect(made.status, made.text).toBe(201);
    await login(page, email);
    await page.goto(`${auth.baseUrl}/teams`);
    await expect(page.getByTestId("team-payments").getByRole("button", { name: "Edit" })).toBeVisible();
    await expect(page.getByTestId("team-discovery").getByRole("button", { name: "Edit" })).toHaveCount(0);
    await page.getByTestId("team-payments").getByRole("button", { name: "Edit" }).click();
    await expect(page.locator("#defaultPolicy option", { hasText: "Payments default policy" })).toHaveCount(1);
    await page.goto(`${auth.baseUrl}/receivers`);
    await expect(page.getByTestId("receiver-payments-oncall").getByRole("button", { name: "Send test notification" })).toBeVisible();
    await expect(page.getByTestId("receiver-discovery-oncall").getByRole("button", { name: "Send test notification" })).toHaveCount(0);
    await page.goto(`${auth.baseUrl}/slos/search-availability/edit`);
    await expect(page.getByTestId("read-only-reason")).toBeVisible();
    await page.goto(`${auth.baseUrl}/slos/checkout-availability/edit`);
    await expect(page.getByTestId("read-only-reason")).toHaveCount(0);
    await expect(page.locator("#objective")).toBeEnabled();

    await page.context().clearCookies();
    await login(page, "admin@burnrate.local");
    await page.goto(`${auth.baseUrl}/targets`);
    await expect(page.getByRole("button", { name: "Sync now" })).toBeVisible();
    await page.goto(`${auth.baseUrl}/receivers`);
    await expect(page.getByTestId("receiver-discovery-oncall").getByRole("button", { name: "Send test notification" })).toBeVisible();
  });
});

test.describe("test notification per receiver", () => {
  test("delivered to the team webhook, or failed with a readable reason; editors only, rate limited, audited", async ({ page, request }) => {
    test.setTimeout(120_000);
    await login(page, "payments-editor@burnrate.local");
    await page.goto(`${auth.baseUrl}/receivers`);
    const row = page.getByTestId("receiver-payments-oncall");
    const before = (await harness.received()).length;
    await row.getByRole("button", { name: "Send test notification" }).click();
    await expect(row.getByTestId("test-result")).toContainText("delivered", { timeout: 15_000 });
    const got = (await harness.received()).slice(before).filter((r) => r.path === "/webhook/payments");
    const alert = got.flatMap((r) => r.body.alerts ?? []).find((a) => a.labels.burnrate_test === "true");
    expect(alert, `test alert among ${JSON.stringify(got)}`).toBeTruthy();
    expect(alert?.labels.receiver).toBe("payments-oncall");
    await screenshot(page, "ui14-receiver-test", { fullPage: false });

    // A receiver whose endpoint refuses connections: failed, with the reason.
    const closed = await call(request, "payments-editor", "POST", "/api/v1/receivers", { slug: uniq("dead"), name: "Dead end", team: "payments", severities: ["ticket"], config: { kind: "webhook", url: `http://127.0.0.1:${await closedPort()}/hook`, sendResolved: true } });
    expect(closed.status, closed.text).toBe(201);
    const failed = await call(request, "payments-editor", "POST", `/api/v1/receivers/${String(closed.body.slug)}/test`);
    expect(failed.status).toBe(200);
    expect(failed.body.result).toBe("failed");
    expect(String(failed.body.reason)).toMatch(/connection refused/);

    // Who may: not a viewer, not another team's editor.
    expect((await call(request, "viewer", "POST", "/api/v1/receivers/payments-oncall/test")).status).toBe(403);
    expect((await call(request, "discovery-editor", "POST", "/api/v1/receivers/payments-oncall/test")).status).toBe(403);
    // Rate limited per receiver (3 a minute): the dead-end receiver has used one.
    const burst = [];
    for (let i = 0; i < 3; i++) burst.push((await call(request, "admin", "POST", `/api/v1/receivers/${String(closed.body.slug)}/test`)).status);
    expect(burst).toEqual([200, 200, 429]);
    // Audited with the result.
    const audit = (await call(request, "admin", "GET", `/api/v1/audit?entityType=receiver`)).body as unknown as { items: { action: string; entitySlug: string; after: { result?: string } }[] };
    const tests = audit.items.filter((a) => a.action === "receiver.test");
    expect(tests.some((a) => a.entitySlug === "payments-oncall" && a.after.result === "delivered")).toBe(true);
    expect(tests.some((a) => a.entitySlug === closed.body.slug && a.after.result === "failed")).toBe(true);
    expect((await call(request, "admin", "DELETE", `/api/v1/receivers/${String(closed.body.slug)}`)).status).toBe(204);
  });
});

test.describe("reading at a glance", () => {
  test("board, SLO page, report (and its print view) and DORA at 1440×900 and 390×844", async ({ page }) => {
    test.setTimeout(240_000);
    await login(page, "admin@burnrate.local");
    for (const [vp, tag] of [[DESKTOP, "desktop"], [PHONE, "phone"]] as const) {
      await page.setViewportSize(vp);
      await page.goto(`${auth.baseUrl}/`);
      await expect(page.locator("[data-testid^=board-row-]").first()).toBeVisible({ timeout: 20_000 });
      // Summary cards count the whole fleet whatever the search box says.
      const total = await page.getByTestId("card-slos").locator(".stat").innerText();
      await page.getByLabel("Search").fill("zzz-no-such-slo");
      await expect(page.getByTestId("card-slos").locator(".stat")).toHaveText(total);
      await page.getByLabel("Search").fill("");
      // Windows in time order.
      const heads = await page.locator("table[data-testid=board] th").allInnerTexts();
      const windows = heads.filter((h) => /^\d+[mhd]$/.test(h.trim()));
      expect(windows).toEqual(["5m", "1h", "6h", "1d", "3d"]);
      if (tag === "phone") {
        await expectNoPageOverflow(page);
        await expect(page.getByText("Swipe the table sideways")).toBeVisible();
        await expect(page.getByRole("link", { name: "On-call board" })).toBeHidden();
        await page.getByRole("button", { name: "Menu" }).click();
        await expect(page.getByRole("link", { name: "On-call board" })).toBeVisible();
        await screenshot(page, `ui14-nav-open-${tag}`, { fullPage: false });
        await page.getByRole("button", { name: "Close" }).click();
      }
      await screenshot(page, `ui14-board-${tag}`, { fullPage: tag === "desktop" });

      await page.goto(`${auth.baseUrl}/slos/checkout-availability`);
      await expect(page.getByTestId("budget-remaining")).toHaveText(/%|—/, { timeout: 20_000 });
      await expect(page.getByTestId("sli-chart")).toBeVisible();
      if (tag === "phone") await expectNoPageOverflow(page);
      await screenshot(page, `ui14-slo-${tag}`);

      await page.goto(`${auth.baseUrl}/reports`);
      const month = await page.getByLabel("Period").locator("option").nth(2).getAttribute("value");
      await page.getByLabel("Period").selectOption(month ?? "");
      await expect(page).toHaveURL(new RegExp(`period=${month}`));
      await page.reload();
      await expect(page.getByLabel("Period")).toHaveValue(month ?? "");
      await expect(page.locator("[data-testid^=report-]").first()).toBeVisible({ timeout: 20_000 });
      if (tag === "phone") await expectNoPageOverflow(page);
      await screenshot(page, `ui14-report-${tag}`);

      await page.goto(`${auth.baseUrl}/dora`);
      await expect(page.getByRole("heading", { name: /DORA/ })).toBeVisible();
      await page.waitForLoadState("networkidle");
      if (tag === "phone") await expectNoPageOverflow(page);
      await screenshot(page, `ui14-dora-${tag}`);
    }
  });

  test("the report prints on A4 with its period, no sidebar and no cut columns", async ({ page }) => {
    await login(page, "admin@burnrate.local");
    await page.goto(`${auth.baseUrl}/reports`);
    await expect(page.locator("[data-testid^=report-]").first()).toBeVisible({ timeout: 20_000 });
    await page.emulateMedia({ media: "print" });
    // A4 less the 12 mm margins is about 718 CSS px wide.
    await page.setViewportSize({ width: 718, height: 1000 });
    await expect(page.locator(".sidebar")).toBeHidden();
    await expect(page.getByTestId("print-period")).toBeVisible();
    await expect(page.getByTestId("print-period")).toContainText("Period:");
    const cut = await page.locator("table").evaluateAll((ts) => ts.filter((t) => t.scrollWidth > (t.parentElement?.clientWidth ?? 0) + 1).length);
    expect(cut, "tables wider than the A4 page").toBe(0);
    const bg = await page.evaluate(() => getComputedStyle(document.querySelector(".shell") as Element).backgroundImage);
    expect(bg).toBe("none");
    await screenshot(page, "ui14-report-print");
    await page.pdf({ path: "test-results/screenshots/ui14-report-print.pdf", format: "A4", printBackground: true });
  });

  test("the dark theme follows the OS and the toggle is kept across reloads", async ({ page }) => {
    test.setTimeout(120_000);
    await login(page, "admin@burnrate.local");
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${auth.baseUrl}/`);
    const dark = await bg();
    await page.emulateMedia({ colorScheme: "light" });
    const light = await bg();
    expect(dark).not.toBe(light);
    // system → light → dark: the choice overrides the OS and survives a reload.
    await page.getByTestId("theme-toggle").click();
    await page.getByTestId("theme-toggle").click();
    await expect(page.getByTestId("theme-toggle")).toHaveText("Theme: dark");
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    expect(await bg()).toBe(dark);
    await expect(page.locator("[data-testid^=board-row-]").first()).toBeVisible({ timeout: 20_000 });
    await screenshot(page, "ui14-board-dark", { fullPage: false });
    await page.goto(`${auth.baseUrl}/slos/checkout-availability`);
    await expect(page.getByTestId("budget-remaining")).toHaveText(/%|—/, { timeout: 20_000 });
    await screenshot(page, "ui14-slo-dark", { fullPage: false });
    await page.getByTestId("theme-toggle").click();
    await expect(page.locator("html")).not.toHaveAttribute("data-theme", /./);
  });

  test("a 1,000-row board and SLO catalogue stay usable", async ({ page }) => {
    test.setTimeout(120_000);
    await login(page, "admin@burnrate.local");
    const items = Array.from({ length: 1000 }, (_, i) => ({
      id: `id-${i}`, slug: `slo-${i}`, name: `SLO number ${i}`, serviceName: `svc-${i % 40}`, teamName: "Payments", team: "payments", objective: 99.9, window: "30d",
      burnRates: { "5m": i % 7, "1h": i % 5, "6h": 1, "1d": 0.5, "3d": 0.2 }, budgetRemaining: i % 3 === 0 ? -0.2 : 0.6, eventsInPeriod: 1000,
      // The board's "exhausted" is the domain's verdict (below zero with the period covered).
      figures: { exhausted: i % 3 === 0, coverage: { partial: false, label: "30 d of 30 d" }, budgetRemaining: { value: i % 3 === 0 ? -0.2 : 0.6 } },
      alerts: i % 10 === 0 ? [{ alertname: "SLOErrorBudgetBurn", severity: "page", state: "firing", burnTier: "fast" }] : [], policyState: { state: "ok", reason: "" },
    }));
    await page.route("**/api/v1/board", (r) => r.fulfill({ json: { prometheus: { configured: true, ok: true, url: null, error: null }, queryCount: 4, generatedAt: new Date().toISOString(), items } }));
    await page.route("**/api/v1/slos", (r) => r.fulfill({ json: { items: items.map((s) => ({ ...s, service: "checkout", sli: "availability", sliName: "Availability", sliKind: "availability", tier: "critical", policy: null, policyName: null, budgetingMethod: "occurrences", alerting: {}, labels: {}, description: "", version: 1 })) } }));
    const t0 = Date.now();
    await page.goto(`${auth.baseUrl}/`);
    await expect(page.getByTestId("card-slos").locator(".stat")).toHaveText("1000");
    await expect(page.locator("[data-testid^=board-row-]")).toHaveCount(100);
    expect(Date.now() - t0, "board with 1,000 SLOs rendered").toBeLessThan(20_000);
    await expect(page.getByTestId("card-paging").locator(".stat")).toHaveText("100");
    await expect(page.getByTestId("card-exhausted").locator(".stat")).toHaveText("334");
    // Search covers every row, not only the shown ones.
    await page.getByLabel("Search").fill("SLO number 999");
    await expect(page.locator("[data-testid^=board-row-]")).toHaveCount(1);
    await expect(page.getByTestId("board-row-slo-999").getByTestId("budget")).toHaveAttribute("data-exhausted", "true");
    await expect(page.getByTestId("board-row-slo-999").getByTestId("budget")).toContainText("-20.0%");
    await page.getByLabel("Search").fill("");
    await page.getByTestId("more-rows").getByRole("button", { name: "Show all" }).click();
    await expect(page.locator("[data-testid^=board-row-]")).toHaveCount(1000);
    const chip = page.getByTestId("board-row-slo-0").getByTestId("alert-chip");
    await expect(chip).toHaveText("page fast · SLOErrorBudgetBurn");
    await expect(chip).toHaveAttribute("title", /SLOErrorBudgetBurn: firing page, fast burn/);
    await page.goto(`${auth.baseUrl}/slos`);
    await expect(page.locator("[data-testid^=slo-slo-]")).toHaveCount(100);
    await page.getByTestId("more-rows").getByRole("button", { name: /Show 100 more/ }).click();
    await expect(page.locator("[data-testid^=slo-slo-]")).toHaveCount(200);
  });
});

