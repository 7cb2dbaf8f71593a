// Alert flow end to end: injected errors → generated recording rules and burn-rate alerts in
// Prometheus → the generated Alertmanager config routes the page to the team's receiver and
// inhibits the ticket of the same SLO → the on-call board shows both.
import { alertmanager, api, env, expect, harness, prometheus, screenshot, test, waitFor, type PromAlert, type Received } from "../support/e2e";

const SERVICE = "profile"; // team identity; the seeded receiver identity-oncall was re-pointed to the harness
const TEAM = "identity";
const SLI = "e2e-alert-availability";
const SLO = "e2e-alert-flow";

/**
 * Custom windows keep this under ~4 minutes: the generated alert group is evaluated every minute,
 * so the page uses `for: 0s` and fires on the first evaluation that sees both windows above 14.4x,
 * and the ticket (3x over 2h/10m) needs one more minute. That ordering matters: the ticket must
 * reach Alertmanager while the page is already active, or it would be notified before the
 * inhibition can apply. The SLO's own recording rules start with no history, so a 90% error
 * injection pushes every window over its threshold within one or two evaluations.
 */
const WINDOWS = [
  { severity: "page", longWindow: "1h", shortWindow: "5m", burnRate: 14.4, for: "0s" },
  { severity: "ticket", longWindow: "2h", shortWindow: "10m", burnRate: 3, for: "1m" },
];

const isMine = (severity: string) => (a: { labels: Record<string, string> }) => a.labels.alertname === "SLOErrorBudgetBurn" && a.labels.slo === SLO && a.labels.severity === severity;
const alertsSeen = (alerts: PromAlert[]) => alerts.filter((a) => a.labels.slo === SLO).map((a) => `${a.labels.alertname}/${a.labels.severity}/${a.state}`).join(", ") || "no alerts for the SLO";
const webhookAlerts = (items: Received[], severity: string) =>
  items.flatMap((r) => (r.body.alerts ?? []).filter(isMine(severity)).map((a) => ({ path: r.path, receiver: r.body.receiver, status: a.status })));

test.afterAll(async ({ request }) => {
  const c = api(request);
  await c.delete(`/api/v1/slos/${SLO}`);
  const slis = await c.get<{ items: { id: string; slug: string }[] }>(`/api/v1/slis?service=${SERVICE}`);
  for (const s of (slis.body.items ?? []).filter((x) => x.slug === SLI)) await c.delete(`/api/v1/slis/${s.id}`);
});

test("a fast burn pages the team through Alertmanager, and the ticket of the same SLO is inhibited", async ({ page, request }) => {
  test.setTimeout(300_000);
  const c = api(request);

  await test.step("create the SLO with its alert windows and wait until Prometheus and Alertmanager load it", async () => {
    const sli = await c.post("/api/v1/slis", {
      slug: SLI,
      name: "E2E alert-flow availability",
      service: SERVICE,
      spec: { kind: "availability", metric: "http_requests_total", matchers: [{ label: "job", op: "=", value: "demo" }, { label: "service", op: "=", value: SERVICE }], errorMatchers: [{ label: "code", op: "=~", value: "5.." }] },
    });
    expect(sli.status, sli.text).toBe(201);
    const slo = await c.post("/api/v1/slos", { slug: SLO, name: "E2E alert flow", service: SERVICE, sli: SLI, objective: 99.9, window: "30d", alerting: { enabled: true, page: true, ticket: true, minEvents: 0, windows: WINDOWS } });
    expect(slo.status, slo.text).toBe(201);
    await waitFor(`Prometheus to load slo-${SLO}-alerts`, async () => {
      const g = (await prometheus.rules()).find((x) => x.name === `slo-${SLO}-alerts`);
      const burn = g?.rules.filter((r) => r.name === "SLOErrorBudgetBurn").map((r) => `${r.labels?.severity}`) ?? [];
      return { done: burn.sort().join() === "page,ticket", value: g, seen: g ? `alert rules: ${burn.join(", ")}` : "group not loaded" };
    }, { timeout: 20_000, interval: 500 });
    const config = await alertmanager.loadedConfig();
    expect(config, "Alertmanager runs the generated config with the harness as identity's receiver").toContain(`${env.harnessUrl}/webhook/${TEAM}`);
    expect(config).toContain("group_wait: 1s");
  });

  const injectedAt = Date.now();
  await test.step(`inject 90% errors on ${SERVICE} through the synthetic exporter`, async () => {
    const r = await fetch(`${env.exporterUrl}/incident?service=${SERVICE}&err=0.9&seconds=600`, { method: "POST" });
    expect(r.status, await r.clone().text()).toBe(201);
  });

  await test.step("Prometheus fires SLOErrorBudgetBurn with severity=page", async () => {
    const fired = await waitFor("the page alert to fire in Prometheus", async () => {
      const alerts = await prometheus.alerts();
      const a = alerts.find((x) => isMine("page")(x) && x.state === "firing");
      return { done: !!a, value: a, seen: alertsSeen(alerts) };
    }, { timeout: 180_000, interval: 2_000 });
    expect(fired?.labels).toMatchObject({ service: SERVICE, team: TEAM, burn_tier: "fast", long_window: "1h", short_window: "5m" });
    test.info().annotations.push({ type: "page fired", description: `${((Date.now() - injectedAt) / 1000).toFixed(0)} s after the injection` });
  });

  await test.step(`Alertmanager routes the page to the ${TEAM} team's webhook (and the Burnrate copy)`, async () => {
    const hits = await waitFor(`a firing page for ${SLO} at /webhook/${TEAM}`, async () => {
      const got = webhookAlerts(await harness.received(), "page");
      return { done: got.some((g) => g.path === `/webhook/${TEAM}` && g.status === "firing"), value: got, seen: JSON.stringify(got) };
    }, { timeout: 30_000, interval: 500 });
    expect(hits.find((h) => h.path === `/webhook/${TEAM}`)?.receiver).toBe(`${TEAM}/${TEAM}-oncall`);
    expect(hits.some((h) => h.path === "/webhook/burnrate-default" && h.receiver === "burnrate-default"), "page copy to Burnrate's own webhook").toBe(true);
  });

  await test.step("the ticket alert fires in Prometheus and is inhibited in Alertmanager", async () => {
    await waitFor("the ticket alert to fire in Prometheus", async () => {
      const alerts = await prometheus.alerts();
      return { done: alerts.some((x) => isMine("ticket")(x) && x.state === "firing"), value: null, seen: alertsSeen(alerts) };
    }, { timeout: 150_000, interval: 2_000 });
    const ticket = await waitFor("Alertmanager to hold the ticket as inhibited", async () => {
      const am = await alertmanager.alerts([`slo="${SLO}"`, 'severity="ticket"', 'alertname="SLOErrorBudgetBurn"']);
      const t = am[0];
      return { done: !!t && t.status.inhibitedBy.length > 0, value: t, seen: JSON.stringify(am.map((a) => a.status)) };
    }, { timeout: 30_000, interval: 500 });
    expect(ticket?.status.state).toBe("suppressed");
    const [pageAlert] = await alertmanager.alerts([`slo="${SLO}"`, 'severity="page"', 'alertname="SLOErrorBudgetBurn"']);
    expect(pageAlert?.status).toMatchObject({ state: "active", inhibitedBy: [] });
  });

  await test.step("no ticket notification for the SLO reached any webhook", async () => {
    // One group_interval (5s) plus group_wait (1s) after the ticket arrived, with margin.
    await new Promise((r) => setTimeout(r, 8_000));
    const received = await harness.received();
    expect(webhookAlerts(received, "ticket"), "ticket notifications for the SLO").toEqual([]);
    expect(webhookAlerts(received, "page").length).toBeGreaterThan(0);
  });

  await test.step("the on-call board shows the page firing and the ticket inhibited", async () => {
    await page.goto("/");
    const row = page.getByTestId(`board-row-${SLO}`);
    // Firing alerts are chips named tier · alert name (the pending ones fold into "N pending").
    await expect(row).toContainText("page fast · SLOErrorBudgetBurn");
    await expect(row).toContainText("ticket slow · SLOErrorBudgetBurn · inhibited");
    await row.scrollIntoViewIfNeeded();
    await screenshot(page, "board-alert-flow");
  });
});
