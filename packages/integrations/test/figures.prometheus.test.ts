/**
 * One truth per figure, against a real Prometheus: budget, burn, exhaustion and report rows of
 * the same SLO/period agree across the board, the SLO page, the report and the API's figures, and
 * do not depend on how the base samples were spaced.
 *
 * Setup (all at a fixed instant T0, chosen by the test): the 5m base series of the generated
 * rules (`slo:sli_error:rate5m`, `slo:sli_total:rate5m`) are backfilled from one closed-form
 * traffic model at different sample spacings, one SLO per spacing: uniform 1m; a 5m backfill
 * followed by 30s live evaluation (the demo's bug: live minutes weighed 10x); 1m then 15s (an
 * evaluation-interval change); a 5m backfill off the 5m grid. Then every derived recording rule
 * the views read is backfilled with `promtool tsdb create-blocks-from rules` from the generated
 * rule groups (the demo's path), Prometheus restarts and the views' queries run at T0.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BOARD_QUERIES,
  budgetBurndown,
  generateRuleGroups,
  monthFigures,
  rangeQueries,
  renderRuleFile,
  reportRow,
  RULE_NAMES,
  ServiceSpecSchema,
  SloSpecSchema,
  sloDetailQueries,
  sloFigures,
  TeamSpecSchema,
  type SloBundle,
  type SloFigures,
} from "@burnrate/domain";
import { PrometheusClient, parseSampleValue, type QueryData } from "../src/index";
import { PROMTOOL_BIN, startPrometheus, type PrometheusHandle } from "./helpers/servers";

type ImportBlocks = (o: { tsdbDir: string; inputName: string; input: string; args: string[]; outputFlag?: boolean; promtool?: string }) => { ok: true; blocks: number } | { ok: false; message: string };
type BackfillDerived = (o: { prometheusUrl: string; rulesDir: string; tsdbDir: string; end: Date; hours?: number; step?: string; promtool?: string; waitMs?: number; afterPass?: () => Promise<void> }) => Promise<{ ok: boolean; message: string }>;
// The demo's own backfill helpers (scripts/ is outside this package's TS project, so imported by path).
const { importBlocks } = (await import(new URL("../../../scripts/tsdb-import.mts", import.meta.url).href)) as { importBlocks: ImportBlocks };
const { backfillDerivedRules } = (await import(new URL("../../../scripts/backfill-rules.mts", import.meta.url).href)) as { backfillDerivedRules: BackfillDerived };

const DAY = 86400;
const PERIOD = 7 * DAY;
/** The instant every view is evaluated at: fixed, off every grid (tests choose their instant). */
const T0 = Date.UTC(2026, 10, 3, 14, 7, 37) / 1000;
/** End of the last 5m grid step at T0: the period figures count the events of (GRID_END − 7d, GRID_END]. */
const GRID_END = T0 - (T0 % 300);
const DATA_START = GRID_END - PERIOD - 3 * 3600;
const OBJECTIVE = 99.9;
const BUDGET = 0.001;

// ---- traffic model: per-minute constant rates, so every 5m rate and every count is exact ----

function totalRate(minute: number): number {
  return 100 + 40 * Math.sin((2 * Math.PI * minute) / 1440);
}
function errorShare(minute: number, slo: string): number {
  const t = minute * 60;
  if (slo === "exhausted") return 0.003;
  if (slo === "new-slo") return 0.5;
  if (t > T0 - 2 * 3600 && t <= T0) return 0.01; // incident in progress (live part)
  if (t > T0 - 2 * DAY && t <= T0 - 2 * DAY + 3600) return 0.03; // an old incident (backfilled part)
  return 0.0004;
}

/** Integral of a per-minute rate from DATA_START to t (seconds). */
function integral(rate: (minute: number) => number, t: number): number {
  const m0 = Math.floor(DATA_START / 60);
  const m1 = Math.floor(t / 60);
  let sum = 0;
  for (let m = m0; m < m1; m++) sum += rate(m) * 60;
  return sum + rate(m1) * (t - m1 * 60);
}

type Scenario = { slo: string; spacing: (t: number) => number; from?: number; offset?: number };
const LIVE_FROM = T0 - 6 * 3600;
const SCENARIOS: Scenario[] = [
  { slo: "uniform-1m", spacing: () => 60 },
  { slo: "backfill-5m-live-30s", spacing: (t) => (t < LIVE_FROM ? 300 : 30) },
  { slo: "backfill-1m-live-15s", spacing: (t) => (t < LIVE_FROM ? 60 : 15) },
  { slo: "backfill-5m-off-grid", spacing: (t) => (t < LIVE_FROM ? 300 : 30), offset: 150 },
  { slo: "new-slo", spacing: () => 30, from: T0 - 12 * 60 },
  { slo: "exhausted", spacing: () => 300 },
];
const SPACING_SLOS = SCENARIOS.slice(0, 4).map((s) => s.slo);

function bundle(slo: string): SloBundle {
  return {
    team: TeamSpecSchema.parse({ slug: "payments", name: "Payments" }),
    service: ServiceSpecSchema.parse({ slug: "checkout", name: "Checkout", team: "payments", tier: "critical" }),
    slo: SloSpecSchema.parse({
      slug: slo, name: slo, service: "checkout", objective: OBJECTIVE, window: "7d",
      sli: { kind: "availability", metric: "http_requests_total", matchers: [{ label: "service", op: "=", value: "checkout" }], errorMatchers: [{ label: "code", op: "=~", value: "5.." }] },
    }),
  };
}

/** The base series as a backfill writes them: the 5m rates of the model at each sample time. */
function baseOpenMetrics(): string {
  const lines: string[] = [];
  const labels = (slo: string) => `service="checkout",slo="${slo}",team="payments",tier="critical"`;
  const series: Array<[string, (s: Scenario, t: number) => number]> = [
    [RULE_NAMES.totalRate5m, (_s, t) => (integral(totalRate, t) - integral(totalRate, t - 300)) / 300],
    [RULE_NAMES.errorRate5m, (s, t) => {
      const e = (m: number) => totalRate(m) * errorShare(m, s.slo);
      return (integral(e, t) - integral(e, t - 300)) / 300;
    }],
  ];
  for (const [name, value] of series) {
    for (const s of SCENARIOS) {
      for (let t = (s.from ?? DATA_START + 300) + (s.offset ?? 0); t <= T0; t += s.spacing(t)) {
        lines.push(`${name}{${labels(s.slo)}} ${value(s, t)} ${t}`);
      }
    }
  }
  return lines.join("\n") + "\n# EOF\n";
}

function truth(slo: string): { errorRatio: number; events: number } {
  const e = (m: number) => totalRate(m) * errorShare(m, slo);
  const from = slo === "new-slo" ? T0 - 12 * 60 : GRID_END - PERIOD;
  const errors = integral(e, GRID_END) - integral(e, from);
  const total = integral(totalRate, GRID_END) - integral(totalRate, from);
  return { errorRatio: errors / total, events: total };
}

// ---- views ----

function bySlo(d: QueryData, key = "slo"): Map<string, number[]> {
  const m = new Map<string, number[]>();
  if (d.resultType !== "vector") return m;
  for (const r of d.result) if (r.value) m.set(r.metric[key] ?? "", [...(m.get(r.metric[key] ?? "") ?? []), parseSampleValue(r.value[1])]);
  return m;
}

async function boardFigures(client: PrometheusClient, at: number): Promise<Map<string, { figures: SloFigures; burnRates: Record<string, number> }>> {
  const [burn, budget, events, coverage] = await Promise.all([BOARD_QUERIES.burn, BOARD_QUERIES.budget, BOARD_QUERIES.events, BOARD_QUERIES.coverage].map((q) => client.query(q, at)));
  const out = new Map<string, { figures: SloFigures; burnRates: Record<string, number> }>();
  for (const s of SCENARIOS) {
    const burnRates: Record<string, number> = {};
    if (burn!.data.resultType === "vector") for (const r of burn!.data.result) if (r.metric.slo === s.slo && r.value) burnRates[r.metric.slo_window ?? ""] = parseSampleValue(r.value[1]);
    const figures = sloFigures({
      now: at * 1000, periodSeconds: PERIOD, objective: OBJECTIVE, burnRates,
      budgetRemaining: bySlo(budget!.data).get(s.slo)?.[0], events: bySlo(events!.data).get(s.slo)?.[0], coverageSeconds: bySlo(coverage!.data).get(s.slo)?.[0],
    });
    out.set(s.slo, { figures, burnRates });
  }
  return out;
}

async function detailFigures(client: PrometheusClient, slo: string, at: number) {
  const q = sloDetailQueries(slo, PERIOD);
  const one = async (expr: string) => {
    const r = await client.query(expr, at);
    return r.data.resultType === "vector" && r.data.result[0]?.value ? parseSampleValue(r.data.result[0].value[1]) : undefined;
  };
  const burn = await client.query(q.burn, at);
  const burnRates = Object.fromEntries([...bySlo(burn.data, "slo_window")].map(([k, v]) => [k, v[0] as number]));
  const figures = sloFigures({ now: at * 1000, periodSeconds: PERIOD, objective: OBJECTIVE, burnRates, budgetRemaining: await one(q.budget), events: await one(q.events), coverageSeconds: await one(q.coverage) });
  const step = q.burndownStep;
  const end = at - (at % step);
  const start = end - PERIOD;
  const series = async (expr: string) => {
    const r = await client.queryRange(expr, start + step, end, step);
    return new Map(r.data.resultType === "matrix" ? (r.data.result[0]?.values ?? []).map(([t, v]) => [Math.round(t), parseSampleValue(v)] as const) : []);
  };
  const [errs, tots] = [await series(q.errorRate), await series(q.totalRate)];
  const samples = [];
  for (let t = start + step; t <= end; t += step) samples.push({ t, errors: errs.get(t), total: tots.get(t) });
  const burndown = budgetBurndown(samples, step, OBJECTIVE);
  return { figures, burnRates, burndownEnd: burndown.at(-1)?.budgetRemaining ?? null };
}

async function reportFigures(client: PrometheusClient, at: number) {
  const q = rangeQueries(PERIOD);
  const [e, n, c] = await Promise.all([client.query(q.errors, at), client.query(q.total, at), client.query(q.coverage, at)]);
  const [errors, totals, coverage] = [bySlo(e.data), bySlo(n.data), bySlo(c.data)];
  return new Map(SCENARIOS.map((s) => {
    const f = monthFigures({ objective: OBJECTIVE, errors: errors.get(s.slo)?.[0], total: totals.get(s.slo)?.[0], coverageSeconds: coverage.get(s.slo)?.[0], rangeSeconds: PERIOD });
    const row = reportRow({ slo: s.slo, name: s.slo, service: "checkout", serviceName: "Checkout", team: "payments", teamName: "Payments", objective: OBJECTIVE, window: "7d" }, { ...f, incidents: 0 });
    return [s.slo, row] as const;
  }));
}

/** Relative difference of two budget-consumed figures. */
function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

describe("SLO figures agree across views and do not depend on sample spacing (real Prometheus)", () => {
  let prom: PrometheusHandle;
  let client: PrometheusClient;
  const bundles = SCENARIOS.map((s) => bundle(s.slo));
  const sets = generateRuleGroups(bundles, { version: "test", intervals: { windows: "1m", long: "1m", alerts: "1m" } });
  const alertRules = sets.flatMap((s) => s.groups).filter((g) => g.name.endsWith("-alerts")).flatMap((g) => g.rules);

  beforeAll(async () => {
    prom = await startPrometheus({
      portRange: [19370, 19389],
      extraArgs: ["--storage.tsdb.retention.time=3650d"],
      prepare: async (dataDir) => {
        const r = importBlocks({ tsdbDir: dataDir, inputName: "base.om", input: baseOpenMetrics(), args: ["openmetrics", "--max-block-duration=720h"], promtool: PROMTOOL_BIN });
        if (!r.ok) throw new Error(r.message);
      },
    });
    client = new PrometheusClient({ baseUrl: prom.url, timeoutMs: 30_000 });
    // Every derived series the views and alerts read, backfilled by the demo's own backfill from
    // the generated rule files (dependency order; each pass loaded by a restart here).
    // (Not in Prometheus' rule_files: only the backfill reads them; T0 is in the past.) A 1m step:
    // the budget (second pass) reads the window ratio's sample of at most 1m before, as live
    // evaluation in one group would read the same evaluation's.
    const rulesDir = path.join(prom.dir, "generated-rules");
    await fs.mkdir(rulesDir);
    for (const set of sets) await fs.writeFile(path.join(rulesDir, set.path), renderRuleFile(set.groups, "test"));
    const r = await backfillDerivedRules({ prometheusUrl: prom.url, rulesDir, tsdbDir: path.join(prom.dir, "data"), end: new Date((T0 + 60) * 1000), hours: 11 / 60, step: "1m", promtool: PROMTOOL_BIN, waitMs: 30_000, afterPass: () => prom.restart() });
    if (!r.ok) throw new Error(r.message);
  }, 120_000);

  afterAll(async () => {
    await prom?.cleanup();
  });

  it("the period budget is within 0.1% of the model's whatever the backfill step or evaluation interval; the per-sample sum it replaces is not", async () => {
    const board = await boardFigures(client, T0);
    const expected = truth("uniform-1m");
    const consumedTruth = expected.errorRatio / BUDGET;
    for (const slo of SPACING_SLOS) {
      const f = board.get(slo)!.figures;
      expect(f.budgetRemaining.value, slo).not.toBeNull();
      expect(rel(f.budgetConsumed.value!, consumedTruth), `${slo}: consumed ${f.budgetConsumed.value} vs model ${consumedTruth}`).toBeLessThan(0.001);
      expect(rel(f.eventsInPeriod.value!, expected.events), `${slo}: events`).toBeLessThan(0.001);
      expect(f.coverage.partial, `${slo}: ${f.coverage.label}`).toBe(false);
    }
    // The old definition (sum over stored samples) on the same data: live minutes weigh 10x.
    const ratio = bundles[1]!.slo.slug;
    const legacy = `sum(sum_over_time(${RULE_NAMES.errorRate5m}{slo="${ratio}"}[7d])) / sum(sum_over_time(${RULE_NAMES.totalRate5m}{slo="${ratio}"}[7d]))`;
    const r = await client.query(legacy, T0);
    const legacyConsumed = (r.data.resultType === "vector" ? parseSampleValue(r.data.result[0]!.value![1]) : NaN) / BUDGET;
    expect(rel(legacyConsumed, consumedTruth)).toBeGreaterThan(0.05);
  });

  it("board, SLO page, report and burndown agree on budget, burn and exhaustion for each SLO", async () => {
    const board = await boardFigures(client, T0);
    const report = await reportFigures(client, T0);
    for (const s of SCENARIOS) {
      const b = board.get(s.slo)!;
      const d = await detailFigures(client, s.slo, T0);
      expect(d.figures.budgetRemaining, s.slo).toEqual(b.figures.budgetRemaining);
      expect(d.figures.coverage, s.slo).toEqual(b.figures.coverage);
      expect(d.figures.exhaustion, s.slo).toEqual(b.figures.exhaustion);
      expect(d.burnRates, s.slo).toEqual(b.burnRates);
      // Burn of the period window = consumed share (burn is error ratio / budget).
      expect(rel(b.burnRates["7d"]!, b.figures.budgetConsumed.value!), s.slo).toBeLessThan(1e-9);
      // The burndown ends at the headline figure (same samples on the same grid; the rules ran 37 s earlier).
      expect(rel(1 - d.burndownEnd!, b.figures.budgetConsumed.value!), `${s.slo} burndown`).toBeLessThan(0.001);
      const row = report.get(s.slo)!;
      expect(rel(row.budgetConsumed!, b.figures.budgetConsumed.value!), `${s.slo} report`).toBeLessThan(0.001);
      expect(row.coverage?.partial, s.slo).toBe(b.figures.coverage.partial);
    }
  });

  it("an SLO created minutes ago says how much data its figures cover and does not fire budget exhausted on a guess", async () => {
    const board = await boardFigures(client, T0);
    const fresh = board.get("new-slo")!.figures;
    expect(fresh.coverage.partial).toBe(true);
    expect(fresh.coverage.label).toMatch(/^1[0-5] min of 7 d$/);
    expect(fresh.budgetRemaining.value!).toBeLessThan(0);
    expect(fresh.exhausted).toBe(false);
    const exhausted = board.get("exhausted")!.figures;
    expect(exhausted.coverage.partial).toBe(false);
    expect(exhausted.exhausted).toBe(true);
    expect(exhausted.exhaustion).toEqual({ value: T0 * 1000 });
    const alertExpr = (slo: string) => alertRules.find((r) => "alert" in r && r.alert === RULE_NAMES.exhaustedAlert && r.labels.slo === slo)!.expr;
    const firing = async (slo: string) => {
      const r = await client.query(alertExpr(slo), T0);
      return r.data.resultType === "vector" ? r.data.result.length : -1;
    };
    expect(await firing("exhausted")).toBe(1);
    expect(await firing("new-slo")).toBe(0);
  });

  it("a Prometheus restart changes no figure", async () => {
    const before = await boardFigures(client, T0);
    await prom.restart();
    const after = await boardFigures(client, T0);
    expect([...after]).toEqual([...before]);
  });
});
