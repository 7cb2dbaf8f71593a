// Issue 4 acceptance: an SLO saved in the UI is loaded by Prometheus within seconds; a rule that
// promtool rejects never reaches Prometheus (it is quarantined: the previous rules stay, every other
// SLO deploys, the target reads degraded and the revision says why) and fixing it converges; an edit made while Prometheus is down is pushed once it is back.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { api, env, expect, expectTargetCard, harness, prometheus, screenshot, test, waitFor, type List } from "../support/e2e";

type Target = { id: string; name: string; status: string; statusMessage: string; failureCount: number; quarantine: { slo: string; stage: string; reason: string }[] };
type Revision = { id: string; status: string; error: string; failedStage: string | null; createdAt: string; target: { name: string }; quarantined: { slo: string; stage: string; reason: string }[] };

const SLO = "e2e-push-slo";
const BROKEN_SLI = "e2e-promtool-reject";
const BROKEN_SLO = "e2e-promtool-reject-slo";
const GROUPS = (slug: string) => ["alerts", "long", "sli", "windows"].map((g) => `slo-${slug}-${g}`);
/** sort_by_label() exists in newer Prometheus versions, so the UI's PromQL grammar accepts it, but Prometheus 2.42's promtool does not know it. */
const ERRORS_WITH_UNKNOWN_FUNCTION = 'sum(sort_by_label(rate(http_requests_total{job="demo",service="search",code=~"5.."}[{{.window}}]), "code"))';
const ERRORS_FIXED = 'sum(rate(http_requests_total{job="demo",service="search",code=~"5.."}[{{.window}}]))';
const TOTAL = 'sum(rate(http_requests_total{job="demo",service="search"}[{{.window}}]))';

async function promTarget(c: ReturnType<typeof api>): Promise<Target> {
  const t = (await c.get<List<Target>>("/api/v1/targets")).body.items.find((x) => x.name === "e2e-prometheus");
  if (!t) throw new Error("target e2e-prometheus is missing");
  return t;
}
const targetSeen = (t: Target) => `${t.status} (${t.failureCount} failures) ${t.statusMessage.slice(0, 300)}`;
const ruleFile = (slug: string) => {
  try {
    return readFileSync(join(env.rulesDir, `slo-${slug}.yml`), "utf8");
  } catch {
    return null;
  }
};

// Each test builds on the SLO the first one creates; stop at the first failure.
test.describe.configure({ mode: "serial" });

test.afterAll(async ({ request }) => {
  // Leave Prometheus running and the catalogue pushable for the next spec, whatever happened here.
  await harness.startPrometheus();
  const c = api(request);
  await c.delete(`/api/v1/slos/${BROKEN_SLO}`);
  const slis = await c.get<List<{ id: string; slug: string }>>("/api/v1/slis?service=search");
  for (const s of slis.body.items.filter((x) => x.slug === BROKEN_SLI)) await c.delete(`/api/v1/slis/${s.id}`);
});

test("an SLO created in the UI is loaded by Prometheus within seconds", async ({ page }) => {
  await page.goto("/slos/new");
  const form = page.getByRole("form", { name: "SLO form" });
  await form.locator("#name").fill("E2E push SLO");
  await form.locator("#slug").fill(SLO);
  await form.locator("#service").selectOption("search");
  await expect(form.locator('#sli option[value="availability"]')).toHaveCount(1);
  await form.locator("#sli").selectOption("availability");
  await form.locator("#objective").fill("99.5");
  await form.getByRole("button", { name: "Create SLO" }).click();
  await expect(page).toHaveURL(new RegExp(`/slos/${SLO}$`));
  const saved = Date.now();
  await waitFor(`Prometheus to load the rule groups of ${SLO}`, async () => {
    const names = await prometheus.groupNames(`slo-${SLO}-`);
    return { done: names.join() === GROUPS(SLO).join(), value: names, seen: names.join(", ") || "no groups" };
  }, { timeout: 15_000, interval: 250 });
  test.info().annotations.push({ type: "push latency", description: `${((Date.now() - saved) / 1000).toFixed(1)} s from save to rules loaded` });
  const long = (await prometheus.rules()).find((g) => g.name === `slo-${SLO}-long`);
  expect(long?.rules.find((r) => r.name === "slo:objective:ratio")?.query).toBe("vector(0.995)");
  expect(long?.file).toBe(join(env.rulesDir, `slo-${SLO}.yml`));
});

// The admission gate now refuses at save time what promtool refuses (this test's function that
// Prometheus 2.42 lacks is a 422 naming spec.errorQuery, see e2e/api/admission.spec.ts), so the API
// can no longer create such a rule; the quarantine of a file promtool refuses is covered by
// e2e/browser/05-isolation.spec.ts, which writes the refused row into the database directly.
test.skip("a rule promtool rejects is quarantined: the old rules stay, the target reads degraded, a revision says why, and a fix converges", async ({ page, request }) => {
  const c = api(request);
  const loadedBefore = (await prometheus.rules()).map((g) => g.name).filter((n) => n.startsWith("slo-")).sort();
  expect(loadedBefore).toEqual(expect.arrayContaining(GROUPS(SLO)));
  const startedAt = Date.now();

  const sli = await test.step("the API accepts the SLI (its grammar knows sort_by_label) and an SLO on it", async () => {
    const s = await c.post<{ id: string; version: number }>("/api/v1/slis", { slug: BROKEN_SLI, name: "E2E promtool reject", service: "search", spec: { kind: "custom", errorQuery: ERRORS_WITH_UNKNOWN_FUNCTION, totalQuery: TOTAL } });
    expect(s.status, s.text).toBe(201);
    const o = await c.post("/api/v1/slos", { slug: BROKEN_SLO, name: "E2E promtool reject", service: "search", sli: BROKEN_SLI, objective: 99 });
    expect(o.status, o.text).toBe(201);
    return s.body;
  });

  await test.step("the SLO is quarantined with promtool's error and the target turns degraded", async () => {
    const t = await waitFor("e2e-prometheus to quarantine the SLO with promtool's error", async () => {
      const t = await promTarget(c);
      const q = t.quarantine.find((x) => x.slo === BROKEN_SLO);
      return { done: t.status === "degraded" && Boolean(q?.reason.includes("sort_by_label")), value: t, seen: targetSeen(t) };
    }, { timeout: 20_000, interval: 500 });
    expect(t.quarantine.find((x) => x.slo === BROKEN_SLO)).toMatchObject({ stage: "validate", reason: expect.stringMatching(/promtool check rules failed: .*unknown function with name "sort_by_label"/s) });
    expect(t.statusMessage).toContain(`${BROKEN_SLO} (refused at validate`);
  });

  await test.step("Prometheus still runs the other SLOs' rules; nothing of the broken SLO reached the rules dir", async () => {
    const loaded = (await prometheus.rules()).map((g) => g.name).filter((n) => n.startsWith("slo-")).sort();
    expect(loaded).toEqual(loadedBefore);
    expect(ruleFile(BROKEN_SLO)).toBeNull();
    expect(ruleFile(SLO)).toContain("slo-e2e-push-slo-sli");
  });

  await test.step("the push targets page shows the target degraded and names the SLO with promtool's error", async () => {
    await expect(async () => {
      await page.goto("/targets");
      const card = page.getByTestId("target-e2e-prometheus");
      await expect(card.getByTestId("target-status")).toHaveText(/^degraded \(\d+ SLOs? not deployed\)$/, { timeout: 2_000 });
      await expect(card.getByTestId(`quarantined-${BROKEN_SLO}`)).toContainText('unknown function with name "sort_by_label"', { timeout: 1_000 });
    }).toPass({ timeout: 20_000, intervals: [500] });
    await screenshot(page, "targets-degraded");
  });

  await test.step("the revisions page lists the applied revision with the quarantined SLO and its reason", async () => {
    const revs = (await c.get<List<Revision>>("/api/v1/revisions?target=" + (await promTarget(c)).id)).body.items;
    const rev = revs.find((r) => r.status === "applied" && r.quarantined.some((q) => q.slo === BROKEN_SLO) && Date.parse(r.createdAt) >= startedAt - 1000);
    expect(rev, `a revision quarantining ${BROKEN_SLO} among ${revs.map((r) => `${r.status}:${r.quarantined.map((q) => q.slo).join("+")}`).join(", ")}`).toBeTruthy();
    await page.goto("/revisions");
    const row = page.getByTestId(`revision-${rev?.id}`);
    await expect(row.getByTestId("revision-quarantined")).toContainText(`${BROKEN_SLO}: not deployed since`);
    await expect(row).toContainText("sort_by_label");
    await screenshot(page, "revisions-quarantined");
  });

  await test.step("fixing the SLI converges: target in sync and the SLO's groups loaded", async () => {
    const fixed = await c.put(`/api/v1/slis/${sli.id}`, { slug: BROKEN_SLI, name: "E2E promtool reject (fixed)", service: "search", spec: { kind: "custom", errorQuery: ERRORS_FIXED, totalQuery: TOTAL }, version: sli.version });
    expect(fixed.status, fixed.text).toBe(200);
    await waitFor("e2e-prometheus back in sync with the fixed SLO loaded", async () => {
      const [t, names] = await Promise.all([promTarget(c), prometheus.groupNames(`slo-${BROKEN_SLO}-`)]);
      return { done: t.status === "in_sync" && t.quarantine.length === 0 && names.length === 4, value: t, seen: `${targetSeen(t)}; groups: ${names.join(", ") || "none"}` };
    }, { timeout: 45_000, interval: 500 });
    await expectTargetCard(page, "e2e-prometheus", "in sync");
  });

  await test.step("deleting the SLO removes its rules again", async () => {
    expect((await c.delete(`/api/v1/slos/${BROKEN_SLO}`)).status).toBe(204);
    expect((await c.delete(`/api/v1/slis/${sli.id}`)).status).toBe(204);
    await waitFor(`the groups of ${BROKEN_SLO} to be unloaded`, async () => {
      const names = await prometheus.groupNames(`slo-${BROKEN_SLO}-`);
      return { done: names.length === 0 && ruleFile(BROKEN_SLO) === null, value: names, seen: names.join(", ") };
    }, { timeout: 20_000, interval: 500 });
  });
});

test("an SLO edited while Prometheus is down is pushed by the reconciler once Prometheus is back", async ({ page, request }) => {
  const c = api(request);
  expect(ruleFile(SLO)).toContain("vector(0.995)");
  await harness.stopPrometheus();
  try {
    await page.goto(`/slos/${SLO}/edit`);
    const form = page.getByRole("form", { name: "SLO form" });
    await expect(form.locator("#objective")).toHaveValue("99.5");
    await form.locator("#objective").fill("99");
    await form.getByRole("button", { name: "Save changes" }).click();
    await expect(page).toHaveURL(new RegExp(`/slos/${SLO}$`));
    expect((await c.get(`/api/v1/slos/${SLO}`)).body).toMatchObject({ objective: 99, version: 2 });

    await waitFor("e2e-prometheus to report Prometheus unreachable", async () => {
      const t = await promTarget(c);
      return { done: t.status === "failing" && /unreachable/i.test(t.statusMessage), value: t, seen: targetSeen(t) };
    }, { timeout: 20_000, interval: 500 });
    // Nothing is written while the target cannot be verified.
    expect(ruleFile(SLO)).toContain("vector(0.995)");
    await expectTargetCard(page, "e2e-prometheus", "failing", "unreachable");
    await screenshot(page, "targets-prometheus-down");
  } finally {
    await harness.startPrometheus();
  }
  const startedAt = Date.now();
  await waitFor("the reconciler to push the edit after Prometheus came back", async () => {
    const [t, groups] = await Promise.all([promTarget(c), prometheus.rules()]);
    const objective = groups.find((g) => g.name === `slo-${SLO}-long`)?.rules.find((r) => r.name === "slo:objective:ratio")?.query;
    return { done: t.status === "in_sync" && objective === "vector(0.99)", value: t, seen: `${targetSeen(t)}; loaded objective rule: ${objective ?? "missing"}` };
  }, { timeout: 60_000, interval: 1_000 });
  test.info().annotations.push({ type: "convergence", description: `${((Date.now() - startedAt) / 1000).toFixed(1)} s after Prometheus was ready` });
  expect(ruleFile(SLO)).toContain("vector(0.99)");
  await expectTargetCard(page, "e2e-prometheus", "in sync");
});
