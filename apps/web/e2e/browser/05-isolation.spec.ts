// Issue 13 acceptance (isolation): the failure domain is one SLO. An SLO row that validation refuses
// (as an older version could have stored it) and a rule file that promtool refuses are each
// quarantined: their last good rules stay loaded, the target reads degraded, and another team's new
// SLO is live in Prometheus within 5 s. A push that keeps failing fires a meta alert in the real
// Prometheus, and a push that would remove every live SLO is held until an administrator confirms.
import { createDb, type Db } from "@burnrate/db";
import { MANAGED_HEADER } from "@burnrate/integrations";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alertmanager, api, env, expect, need, prometheus, screenshot, test, waitFor, type List } from "../support/e2e";

type Quarantined = { slo: string; stage: string; reason: string; since: string };
type Target = { id: string; name: string; status: string; statusMessage: string; quarantine: Quarantined[]; lastAttemptAt: string | null; lastSuccessAt: string | null };
type Revision = { id: string; status: string; reason: string; triggeredBy: string; createdAt: string; error: string; target: { name: string }; quarantined: Quarantined[] };

const OLD_ROW = "e2e-iso-old-row";
const PROMTOOL_SLI = "e2e-iso-promtool-sli";
const PROMTOOL = "e2e-iso-promtool";
const NEW_PAYMENTS = "e2e-iso-new-payments";
const NEW_IDENTITY = "e2e-iso-new-identity";
const UNREACHABLE = "e2e-iso-unreachable";
const GUARD = "e2e-iso-guard";
const GROUPS = (slug: string) => ["alerts", "long", "sli", "windows"].map((g) => `slo-${slug}-${g}`);
const ERRORS = 'sum(rate(http_requests_total{job="demo",service="search",code=~"5.."}[{{.window}}]))';
/** Prometheus 2.42's promtool does not know sort_by_label(). */
const ERRORS_PROMTOOL_REFUSES = 'sum(sort_by_label(rate(http_requests_total{job="demo",service="search",code=~"5.."}[{{.window}}]), "code"))';
const TOTAL = 'sum(rate(http_requests_total{job="demo",service="search"}[{{.window}}]))';

test.describe.configure({ mode: "serial" });

let db: Db;
test.beforeAll(() => {
  db = createDb(need("E2E_DATABASE_URL"), { max: 1 });
});
test.afterAll(async ({ request }) => {
  const c = api(request);
  for (const s of [OLD_ROW, PROMTOOL, NEW_PAYMENTS, NEW_IDENTITY]) await c.delete(`/api/v1/slos/${s}`);
  const slis = await c.get<List<{ id: string; slug: string }>>("/api/v1/slis?service=search");
  for (const s of slis.body.items.filter((x) => x.slug === PROMTOOL_SLI)) await c.delete(`/api/v1/slis/${s.id}`);
  for (const t of (await c.get<List<Target>>("/api/v1/targets")).body.items.filter((x) => x.name === UNREACHABLE || x.name === GUARD)) await c.delete(`/api/v1/targets/${t.id}`);
  await db?.$disconnect();
});

async function promTarget(c: ReturnType<typeof api>, name = "e2e-prometheus"): Promise<Target> {
  const t = (await c.get<List<Target>>("/api/v1/targets")).body.items.find((x) => x.name === name);
  if (!t) throw new Error(`target ${name} is missing`);
  return t;
}
const seen = (t: Target) => `${t.status}: ${t.statusMessage.slice(0, 300)}`;
const ruleFile = (slug: string) => readFileSync(join(env.rulesDir, `slo-${slug}.yml`), "utf8");
const objectiveRule = async (slug: string) => (await prometheus.rules()).find((g) => g.name === `slo-${slug}-long`)?.rules.find((r) => r.name === "slo:objective:ratio")?.query;

/** Creates an SLO through the API and returns how long Prometheus took to load all its groups. */
async function createAndAwaitLive(c: ReturnType<typeof api>, body: Record<string, unknown>, timeout: number): Promise<number> {
  const r = await c.post("/api/v1/slos", body);
  expect(r.status, r.text).toBe(201);
  const saved = Date.now();
  const slug = String(body.slug);
  await waitFor(`Prometheus to load the groups of ${slug}`, async () => {
    const names = await prometheus.groupNames(`slo-${slug}-`);
    return { done: names.join() === GROUPS(slug).join(), value: names, seen: names.join(", ") || "no groups" };
  }, { timeout, interval: 100 });
  return Date.now() - saved;
}

test("an SLO row that validation refuses is quarantined, its last good rules stay loaded, and another team's new SLO is live within 5 s", async ({ page, request }) => {
  const c = api(request);
  await createAndAwaitLive(c, { slug: OLD_ROW, name: "E2E isolation old row", service: "search", sli: "availability", objective: 99.5 }, 20_000);
  expect(await objectiveRule(OLD_ROW)).toBe("vector(0.995)");

  await test.step("a row an older version stored: a reserved label, and a new objective", async () => {
    await db.slo.update({ where: { slug: OLD_ROW }, data: { labels: { severity: "page" }, objective: 99.1 } });
  });

  await test.step("another team's new SLO is live in Prometheus within 5 s", async () => {
    const ms = await createAndAwaitLive(c, { slug: NEW_PAYMENTS, name: "E2E isolation payments canary", service: "checkout", sli: "availability", objective: 99 }, 5_000);
    test.info().annotations.push({ type: "push latency", description: `${(ms / 1000).toFixed(1)} s from save to rules loaded` });
  });

  const t = await test.step("the refused SLO is quarantined at generation and the target reads degraded", async () =>
    waitFor("e2e-prometheus to quarantine the old row", async () => {
      const t = await promTarget(c);
      return { done: t.status === "degraded" && t.quarantine.some((q) => q.slo === OLD_ROW), value: t, seen: seen(t) };
    }, { timeout: 15_000, interval: 250 }));
  expect(t.quarantine.find((q) => q.slo === OLD_ROW)).toMatchObject({ stage: "generate", reason: expect.stringContaining("severity") });
  expect(t.lastSuccessAt).not.toBeNull();

  await test.step("its last good rules stay loaded (objective 99.5 %, not the stored 99.1 %)", async () => {
    expect(await prometheus.groupNames(`slo-${OLD_ROW}-`)).toEqual(GROUPS(OLD_ROW));
    expect(await objectiveRule(OLD_ROW)).toBe("vector(0.995)");
    expect(ruleFile(OLD_ROW)).toContain("vector(0.995)");
  });

  await test.step("a revision records the generation failure", async () => {
    const revs = (await c.get<List<Revision>>(`/api/v1/revisions?target=${t.id}`)).body.items;
    expect(revs.some((r) => r.quarantined.some((q) => q.slo === OLD_ROW && q.stage === "generate")), revs.map((r) => `${r.status}:${r.quarantined.map((q) => q.slo)}`).join(", ")).toBe(true);
  });

  await test.step("the rules preview answers 422 with the field and the reason, not 500", async () => {
    const r = await c.get<{ error: { code: string; message: string; fields?: Record<string, string> } }>(`/api/v1/slos/${OLD_ROW}/rules`);
    expect(r.status, r.text).toBe(422);
    expect(r.body.error.message).toContain("severity");
    expect(Object.keys(r.body.error.fields ?? {}).join()).toContain("labels");
  });

  await test.step("the SLO page says since when it is not deployed and why; the canary's says since when it is live", async () => {
    await page.goto(`/slos/${OLD_ROW}`);
    await expect(page.getByTestId("slo-deployment-e2e-prometheus")).toContainText(/not deployed since .*refused by validation: .*severity/);
    await screenshot(page, "slo-not-deployed", { fullPage: false });
    await page.goto(`/slos/${NEW_PAYMENTS}`);
    await expect(page.getByTestId("slo-deployment-e2e-prometheus")).toContainText("rules live since");
  });

  await test.step("fixing the row deploys it and clears the quarantine", async () => {
    await db.slo.update({ where: { slug: OLD_ROW }, data: { labels: {} } });
    await waitFor("the fixed row to deploy", async () => {
      const [t, obj] = await Promise.all([promTarget(c), objectiveRule(OLD_ROW)]);
      return { done: obj === "vector(0.991)" && !t.quarantine.some((q) => q.slo === OLD_ROW), value: t, seen: `${seen(t)}; objective ${obj}` };
    }, { timeout: 15_000, interval: 250 });
  });
});

test("a rule file promtool refuses is quarantined, its previous rules stay loaded, and another team's new SLO is live within 5 s", async ({ request }) => {
  const c = api(request);
  const sli = await c.post<{ id: string }>("/api/v1/slis", { slug: PROMTOOL_SLI, name: "E2E isolation promtool", service: "search", spec: { kind: "custom", errorQuery: ERRORS, totalQuery: TOTAL } });
  expect(sli.status, sli.text).toBe(201);
  await createAndAwaitLive(c, { slug: PROMTOOL, name: "E2E isolation promtool", service: "search", sli: PROMTOOL_SLI, objective: 99 }, 20_000);
  const before = ruleFile(PROMTOOL);

  await test.step("the stored SLI query becomes one promtool refuses (written past the API)", async () => {
    const row = await db.sli.findUniqueOrThrow({ where: { id: sli.body.id } });
    await db.sli.update({ where: { id: row.id }, data: { spec: { ...(row.spec as Record<string, unknown>), errorQuery: ERRORS_PROMTOOL_REFUSES } } });
  });

  await test.step("another team's new SLO is live in Prometheus within 5 s", async () => {
    const ms = await createAndAwaitLive(c, { slug: NEW_IDENTITY, name: "E2E isolation identity canary", service: "auth", sli: "availability", objective: 99 }, 5_000);
    test.info().annotations.push({ type: "push latency", description: `${(ms / 1000).toFixed(1)} s from save to rules loaded` });
  });

  const t = await waitFor("e2e-prometheus to quarantine the SLO promtool refuses", async () => {
    const t = await promTarget(c);
    return { done: t.status === "degraded" && t.quarantine.some((q) => q.slo === PROMTOOL), value: t, seen: seen(t) };
  }, { timeout: 15_000, interval: 250 });
  // The admission gate also checks stored rows before generation, so it refuses this query (a
  // function Prometheus 2.42 lacks) at stage "generate", before promtool would at "validate".
  expect(t.quarantine.find((q) => q.slo === PROMTOOL)).toMatchObject({ stage: expect.stringMatching(/^(generate|validate)$/), reason: expect.stringContaining("sort_by_label") });
  expect(t.statusMessage).toMatch(/SLO\(s\) not deployed/);
  expect(ruleFile(PROMTOOL)).toBe(before);
  expect(await prometheus.groupNames(`slo-${PROMTOOL}-`)).toEqual(GROUPS(PROMTOOL));
  const queries = (await prometheus.rules()).filter((g) => g.name.startsWith(`slo-${PROMTOOL}-`)).flatMap((g) => g.rules.map((r) => r.query));
  expect(queries.join("\n")).not.toContain("sort_by_label");
});

test("a push that keeps failing fires BurnratePushFailing in the real Prometheus, routed to the administrators", async ({ request }) => {
  test.setTimeout(120_000);
  const c = api(request);
  const dir = mkdtempSync(join(tmpdir(), "burnrate-e2e-unreachable-"));
  try {
    await db.pushTarget.create({ data: { name: UNREACHABLE, kind: "prometheus", url: "http://127.0.0.1:9", mode: "file", settings: { rulesDir: dir } } });
    await waitFor(`${UNREACHABLE} to fail`, async () => {
      const t = await promTarget(c, UNREACHABLE);
      return { done: t.status === "failing", value: t, seen: seen(t) };
    }, { timeout: 20_000, interval: 500 });
    await waitFor("BurnratePushFailing to fire in Prometheus", async () => {
      const alerts = (await prometheus.alerts()).filter((a) => a.labels.alertname === "BurnratePushFailing" && a.labels.target === UNREACHABLE);
      return { done: alerts.some((a) => a.state === "firing"), value: alerts, seen: alerts.map((a) => a.state).join(", ") || "not pending yet" };
    }, { timeout: 90_000, interval: 1_000 });
    await waitFor("Alertmanager to route it to the administrators' receiver", async () => {
      const am = await alertmanager.alerts([`alertname="BurnratePushFailing"`, `target="${UNREACHABLE}"`]);
      return { done: am.some((a) => a.receivers.some((r) => r.name === "burnrate-admins")), value: am, seen: JSON.stringify(am.map((a) => a.receivers)) };
    }, { timeout: 30_000, interval: 1_000 });
    // The always-firing Watchdog goes to the dead man's switch, never to a team pager.
    const watchdog = await alertmanager.alerts([`alertname="BurnrateWatchdog"`]);
    expect(watchdog.flatMap((a) => a.receivers.map((r) => r.name))).toEqual(["burnrate-deadmans-switch"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a push that would remove every live SLO's rules is held until an administrator confirms it", async ({ page, request }) => {
  const c = api(request);
  // A rules dir holding three SLOs the catalogue does not know (as after pointing Burnrate at an
  // empty or wrong database): pushing the catalogue would delete all three.
  const dir = mkdtempSync(join(tmpdir(), "burnrate-e2e-guard-"));
  try {
    for (const n of [1, 2, 3]) writeFileSync(join(dir, `slo-ghost-${n}.yml`), `${MANAGED_HEADER}\ngroups:\n  - name: slo-ghost-${n}-sli\n    rules:\n      - record: ghost:up\n        expr: vector(1)\n`);
    const created = await db.pushTarget.create({ data: { name: GUARD, kind: "prometheus", url: env.prometheusUrl, mode: "file", settings: { rulesDir: dir } } });
    const t = await waitFor(`${GUARD} to hold the push`, async () => {
      const t = await promTarget(c, GUARD);
      return { done: t.status === "held", value: t, seen: seen(t) };
    }, { timeout: 20_000, interval: 500 });
    expect(t.statusMessage).toContain("would remove the rules of 3 of 3 live SLO(s)");
    const held = (await c.get<List<Revision & { targetId: string }>>("/api/v1/revisions?status=held")).body.items.filter((r) => r.targetId === created.id);
    expect(held).toHaveLength(1);
    expect(readdirSync(dir).sort()).toEqual(["slo-ghost-1.yml", "slo-ghost-2.yml", "slo-ghost-3.yml"]);

    // A non-matching revision id is refused; the held one is applied after the confirm button.
    expect((await c.post(`/api/v1/targets/${created.id}/confirm`, { revisionId: "nope" })).status).toBe(409);
    await page.goto("/targets");
    const card = page.getByTestId(`target-${GUARD}`);
    await expect(card.getByTestId("target-status")).toHaveText("push held");
    await screenshot(page, "targets-held", { fullPage: false });
    page.once("dialog", (d) => void d.accept());
    await card.getByRole("button", { name: "Confirm and push" }).click();
    await waitFor("the confirmed push to run", async () => {
      const revs = (await c.get<List<Revision>>(`/api/v1/revisions?target=${created.id}`)).body.items;
      const r = revs.find((x) => /^mass deletion confirmed by /.test(x.reason));
      return { done: Boolean(r && r.status !== "pending"), value: r, seen: revs.map((x) => `${x.status}:${x.reason}`).join(", ") };
    }, { timeout: 30_000, interval: 500 });
    const audit = (await c.get<List<{ action: string; entitySlug: string }>>(`/api/v1/audit?q=${GUARD}`)).body.items.map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(["target.push.held", "target.push.confirm"]));
  } finally {
    for (const x of (await c.get<List<Target>>("/api/v1/targets")).body.items.filter((x) => x.name === GUARD)) await c.delete(`/api/v1/targets/${x.id}`);
    rmSync(dir, { recursive: true, force: true });
  }
});
