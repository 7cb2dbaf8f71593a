/**
 * Integration: backfill `renderOpenMetricsHistory` for a seeded 30-day history into a real
 * Prometheus (promtool tsdb create-blocks-from openmetrics), let it scrape
 * `renderExposition(doraSeriesAt(rows, now))` from a local HTTP server, then check every
 * `doraPromql` query against `computeDora`.
 *
 * Evaluation time is `end`, the UTC midnight one day before the last one: a point on the backfill grid
 * (step 1h from end − 30d), so the window [end − 28d, end) is sampled exactly at both edges, and the
 * seeded history has the same shape whatever the hour the suite runs at (Prometheus itself runs on
 * the real clock). The figures are compared as `Figure`s: "no data" from PromQL (NaN for 0 ÷ 0, or
 * no series) must be the same no data, for the same reason, as the database's null. Tolerances:
 *  - counts, per-day rates, deploy days, CFR, rework rate, means: equal up to float rounding (1e-9);
 *  - medians/p90: `histogram_quantile` interpolates inside a bucket, so we assert the PromQL value
 *    falls in the same bucket as the exact DB value, hence the same DORA band (band edges = bucket edges).
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as netServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  classifyDora,
  computeDora,
  DORA_FIGURE_KEYS,
  doraEvents,
  doraFiguresFromMetrics,
  doraFiguresFromPromql,
  doraPromql,
  doraScope,
  doraWindow,
  sameFigure,
  type DoraFigureKey,
  type DoraPromqlQueries,
  LEAD_TIME_BUCKETS,
  RESTORE_BUCKETS,
  type DoraMetrics,
  type DoraReport,
} from "@burnrate/domain";
import { doraSeriesAt, EXPOSITION_CONTENT_TYPE, renderExposition, renderOpenMetricsHistory } from "../src/exporter/index";
import { DAY, DELETED_SERVICE, SEED_TEAMS, WEIRD_TEAM, liveRows, seedHistory } from "./exporter.seed";

const PROMETHEUS = "/usr/bin/prometheus";
const PROMTOOL = "/usr/bin/promtool";
const run = promisify(execFile);
const haveProm = existsSync(PROMETHEUS) && existsSync(PROMTOOL);
if (!haveProm) throw new Error("missing Debian prometheus/prometheus-alertmanager binaries; install them (npm test does: apt-get install prometheus prometheus-alertmanager) instead of skipping these tests");

async function freePort(exclude: number[] = []): Promise<number> {
  const candidates = Array.from({ length: 100 }, (_, i) => 19500 + i).filter((p) => !exclude.includes(p));
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  for (const port of candidates) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = netServer().once("error", () => resolve(false)).listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error("no free port in 19500-19599");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("DORA PromQL over a backfilled + scraped Prometheus equals computeDora", () => {
  const now = Date.now();
  const { deployments, incidents, end } = seedHistory(now);
  const rows = { deployments, incidents };
  const live = liveRows(rows);
  const opts = { teams: SEED_TEAMS };
  const dir = mkdtempSync(join(tmpdir(), "burnrate-dora-prom-"));
  let prom: ChildProcess | undefined;
  let server: Server | undefined;
  let promPort = 0;
  let exporterPort = 0;
  let promLog = "";
  let report: DoraReport;

  async function query(expr: string, time: number): Promise<Array<{ metric: Record<string, string>; value: number }>> {
    const url = `http://127.0.0.1:${promPort}/api/v1/query?${new URLSearchParams({ query: expr, time: String(time / 1000) })}`;
    const res = await fetch(url);
    const body = (await res.json()) as { status: string; error?: string; data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }
  async function scalar(expr: string, time = end): Promise<number | null> {
    const r = await query(expr, time);
    if (r.length > 1) throw new Error(`${expr}: ${r.length} series`);
    return r[0]?.value ?? null;
  }

  beforeAll(async () => {
    report = computeDora(deployments, incidents, { from: end - 28 * DAY, to: end, ...opts });
    exporterPort = await freePort();
    promPort = await freePort([exporterPort]);
    const instance = `127.0.0.1:${exporterPort}`;

    // 1. Backfill the history on an hourly grid, with the labels the scrape will add.
    const om = renderOpenMetricsHistory(rows, end - 30 * DAY, end, 3600, { ...opts, extraLabels: { job: "burnrate", instance } });
    const omFile = join(dir, "history.om");
    writeFileSync(omFile, om);
    const data = join(dir, "data");
    try {
      await run(PROMTOOL, ["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=720h", omFile, data], { maxBuffer: 64 << 20 });
    } catch (e) {
      // promtool < 2.44 has no --max-block-duration; it then writes 2h blocks, which load the same.
      if (!String((e as { stderr?: string }).stderr ?? e).includes("max-block-duration")) throw e;
      await run(PROMTOOL, ["tsdb", "create-blocks-from", "openmetrics", omFile, data], { maxBuffer: 64 << 20 });
    }

    // 2. Serve the live exposition (recomputed on every scrape from the rows the database has now).
    server = createServer((req, res) => {
      if (req.url !== "/metrics") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": EXPOSITION_CONTENT_TYPE }).end(renderExposition(doraSeriesAt(live, Date.now(), opts)));
    });
    await new Promise<void>((r) => server!.listen(exporterPort, "127.0.0.1", r));

    // 3. Start Prometheus on loopback with a temp data dir and 90d retention.
    const cfg = join(dir, "prometheus.yml");
    writeFileSync(cfg, `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: burnrate\n    static_configs:\n      - targets: ["${instance}"]\n`);
    prom = spawn(PROMETHEUS, [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${data}`,
      "--storage.tsdb.retention.time=90d",
      `--web.listen-address=127.0.0.1:${promPort}`,
    ], { stdio: ["ignore", "pipe", "pipe"] });
    prom.stderr!.on("data", (d) => (promLog = (promLog + d).slice(-4000)));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (prom.exitCode !== null) throw new Error(`prometheus exited: ${promLog}`);
      try {
        if ((await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok && (await scalar('up{job="burnrate"}', Date.now())) === 1) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`prometheus not ready: ${promLog}`);
      await sleep(250);
    }
  }, 120_000);

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.once("exit", r));
      prom.kill("SIGTERM");
      await Promise.race([exited, sleep(5000)]);
      if (prom.exitCode === null) prom.kill("SIGKILL");
    }
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  const bucketOf = (v: number | null, bounds: readonly number[]) => (v === null ? null : bounds.findIndex((b) => v <= b));

  const QUANTILES: Partial<Record<DoraFigureKey, readonly number[]>> = {
    leadTimeMedianSeconds: LEAD_TIME_BUCKETS, leadTimeP90Seconds: LEAD_TIME_BUCKETS,
    timeToRestoreMedianSeconds: RESTORE_BUCKETS, timeToRestoreP90Seconds: RESTORE_BUCKETS,
    recoveryMedianSeconds: RESTORE_BUCKETS, recoveryP90Seconds: RESTORE_BUCKETS,
  };

  async function promqlValues(q: DoraPromqlQueries, time: number): Promise<Record<keyof DoraPromqlQueries, number | null>> {
    const entries = await Promise.all(Object.entries(q).map(async ([k, expr]) => [k, await scalar(expr, time)] as const));
    return Object.fromEntries(entries) as Record<keyof DoraPromqlQueries, number | null>;
  }

  type Scope = { service?: string; team?: string };
  /** The sorted observations behind a scope's duration figures, to bound where a quantile may fall. */
  function samples(scope: Scope, from: number, to: number, src = rows) {
    const out = { lead: [] as number[], restore: [] as number[], recovery: [] as number[] };
    for (const e of doraEvents(src.deployments, src.incidents, opts)) {
      if (e.t < from || e.t >= to || (scope.service !== undefined && e.service !== scope.service) || (scope.team !== undefined && e.team !== scope.team)) continue;
      if ("environment" in e && e.environment !== "production") continue;
      if (e.type === "lead_time") out.lead.push(e.seconds);
      else if (e.type === "restore") out.restore.push(e.seconds);
      else if (e.type === "recovery") out.recovery.push(e.seconds);
    }
    for (const a of Object.values(out)) a.sort((x, y) => x - y);
    return out;
  }
  const QUANTILE_OF: Partial<Record<DoraFigureKey, { q: number; of: "lead" | "restore" | "recovery" }>> = {
    leadTimeMedianSeconds: { q: 0.5, of: "lead" }, leadTimeP90Seconds: { q: 0.9, of: "lead" },
    timeToRestoreMedianSeconds: { q: 0.5, of: "restore" }, timeToRestoreP90Seconds: { q: 0.9, of: "restore" },
    recoveryMedianSeconds: { q: 0.5, of: "recovery" }, recoveryP90Seconds: { q: 0.9, of: "recovery" },
  };

  /**
   * Every DORA figure from PromQL is the database's figure: the same value or the same no data.
   * Quantiles: the exact value interpolates between the order statistics around (n − 1)q, and
   * `histogram_quantile` lands in the bucket of the observation of rank ⌈qn⌉, one of those two; so
   * the PromQL bucket is the bucket of one of them (the same bucket whenever both share one).
   */
  async function expectSameFigures(m: DoraMetrics, q: DoraPromqlQueries, window: { from: number; to: number; scope: Scope; rows?: typeof rows }) {
    const values = await promqlValues(q, window.to);
    const db = doraFiguresFromMetrics(m);
    const prom = doraFiguresFromPromql(values);
    const obs = samples(window.scope, window.from, window.to, window.rows);
    for (const k of DORA_FIGURE_KEYS) {
      const a = prom[k];
      const b = db[k];
      const quant = QUANTILE_OF[k];
      if (quant && a.value !== null && b.value !== null) {
        const sorted = obs[quant.of];
        const pos = (sorted.length - 1) * quant.q;
        const buckets = QUANTILES[k]!;
        const allowed = new Set([bucketOf(sorted[Math.floor(pos)]!, buckets), bucketOf(sorted[Math.ceil(pos)]!, buckets)]);
        expect(allowed.has(bucketOf(a.value, buckets)), `${k}: PromQL ${a.value} (bucket ${bucketOf(a.value, buckets)}) vs DB ${b.value} (buckets ${[...allowed]})`).toBe(true);
      } else expect(sameFigure(a, b, 1e-6), `${k}: PromQL ${JSON.stringify(a)} vs DB ${JSON.stringify(b)}`).toBe(true);
    }
    return { values, db, prom };
  }

  const window28 = (scope: Scope) => ({ from: end - 28 * DAY, to: end, scope });

  async function expectMatches(m: DoraMetrics, q: DoraPromqlQueries, scope: Scope) {
    expect(m.deployments.total).toBeGreaterThan(0);
    const { values, prom } = await expectSameFigures(m, q, window28(scope));
    expect(values.deployments).toBe(m.deployments.total);
    expect(values.successfulDeployments).toBe(m.deployments.successful);
    expect(values.deployDays ?? 0).toBe(m.deploymentFrequency.deployDays);
    expect(values.failedDeployments).toBe(m.deployments.failed);
    expect(values.leadTimeCount).toBe(m.leadTime.count);
    expect(values.timeToRestoreCount ?? 0).toBe(m.timeToRestore.count);
    expect(values.recoveryCount ?? 0).toBe(m.failedDeploymentRecoveryTime.count);
    // Same DORA band from PromQL as from the DB (a quantile bucket is a band).
    if (prom.leadTimeMedianSeconds.value !== null) expect(bucketOf(prom.leadTimeMedianSeconds.value, LEAD_TIME_BUCKETS)).toBe(bucketOf(m.leadTime.medianSeconds, LEAD_TIME_BUCKETS));
    const fromProm: DoraMetrics = {
      ...m,
      leadTime: { ...m.leadTime, medianSeconds: prom.leadTimeMedianSeconds.value },
      failedDeploymentRecoveryTime: { ...m.failedDeploymentRecoveryTime, medianSeconds: prom.recoveryMedianSeconds.value },
    };
    for (const set of ["2024", "2023", "2021"] as const) expect(classifyDora(fromProm, set)).toEqual(classifyDora(m, set));
  }

  it("overall: counts, frequency, deploy days, CFR, rework, lead time and recovery match", async () => {
    const m = report.overall;
    // The seed avoids failures straddling the window start, so recognised = deployment-attributed.
    expect(m.deployments.failuresRecognized).toBe(m.deployments.failed);
    await expectMatches(m, doraPromql({ window: "28d" }), {});
    const q = doraPromql({ window: "28d" });
    expect(await scalar(q.incidents)).toBe(m.incidents.opened);
    expect(m.timeToRestore.count).toBeGreaterThan(0);
  });

  it("per service (filtered) and per team, including a team name that needs escaping", async () => {
    for (const service of ["checkout", "search", "auth"]) await expectMatches(report.byService[service]!, doraPromql({ service }), { service });
    await expectMatches(report.byTeam[WEIRD_TEAM]!, doraPromql({ team: WEIRD_TEAM }), { team: WEIRD_TEAM });
  });

  it("a slice with deployments but no lead-time data: both say 'no deployments with commit data'", async () => {
    const m = doraScope(report, { service: "legacy" });
    expect(m.deployments.total).toBeGreaterThan(0);
    const { prom } = await expectSameFigures(m, doraPromql({ service: "legacy" }), window28({ service: "legacy" }));
    expect(prom.leadTimeMeanSeconds).toEqual({ value: null, reason: "no deployments with commit data" });
    expect(prom.changeFailureRate.value).not.toBeNull();
  });

  it("a slice with incidents but no deployments: time to restore known, deployment ratios no data on both", async () => {
    const m = doraScope(report, { team: "oncall" });
    expect(m.incidents.resolved).toBeGreaterThan(0);
    const { prom } = await expectSameFigures(m, doraPromql({ team: "oncall" }), window28({ team: "oncall" }));
    expect(prom.changeFailureRate).toEqual({ value: null, reason: "no deployments in the window" });
    expect(prom.timeToRestoreMeanSeconds.value).toBe(5400);
  });

  it("nothing at all: a scope without any series is the database's empty scope", async () => {
    const { prom } = await expectSameFigures(doraScope(report, { service: "never-deployed" }), doraPromql({ service: "never-deployed" }), window28({ service: "never-deployed" }));
    expect(prom.reworkRate).toEqual({ value: null, reason: "no deployments in the window" });
  });

  it("a team whose services were all deleted: no data on both, though Prometheus still holds its history", async () => {
    // Its history is in Prometheus (the backfill) and matched the database while it existed …
    expect(doraScope(report, { team: "ghost" }).deployments.total).toBeGreaterThan(0);
    await expectSameFigures(doraScope(report, { team: "ghost" }), doraPromql({ team: "ghost" }), window28({ team: "ghost" }));
    // … but the database no longer has its rows. The view scopes PromQL to the team's current
    // services (none), at the window end of the view and now.
    expect(live.deployments.some((d) => d.service === DELETED_SERVICE)).toBe(false);
    for (const w of [{ from: end - 28 * DAY, to: end }, doraWindow(Date.now(), 28)]) {
      const nowReport = computeDora(live.deployments, live.incidents, { ...w, ...opts });
      const { prom } = await expectSameFigures(doraScope(nowReport, { team: "ghost" }), doraPromql({ team: "ghost", services: [] }), { ...w, scope: { team: "ghost" }, rows: live });
      expect(prom.leadTimeMedianSeconds).toEqual({ value: null, reason: "no successful deployments in the window" });
      expect(prom.timeToRestoreMeanSeconds).toEqual({ value: null, reason: "no incidents resolved in the window" });
      expect(prom.deployDaysPerWeek).toEqual({ value: 0 });
    }
    // The same restriction to current services keeps a live team's figures.
    await expectMatches(report.byTeam.payments!, doraPromql({ team: "payments", services: ["checkout"] }), { team: "payments" });
  });

  it("grouped by service returns one series per service with the DB deploy counts", async () => {
    const r = await query(doraPromql({ by: "service" }).deployments, end);
    expect(Object.fromEntries(r.map((x) => [x.metric.service, x.value]))).toEqual(
      // Services with only incidents (pager) have no deployment series.
      Object.fromEntries(Object.entries(report.byService).filter(([, m]) => m.deployments.total > 0).map(([s, m]) => [s, m.deployments.total])),
    );
  });

  it("a 7d window ending at the same midnight matches too", async () => {
    const week = computeDora(deployments, incidents, { from: end - 7 * DAY, to: end, ...opts }).overall;
    const q = doraPromql({ window: "7d" });
    expect(await scalar(q.deployments)).toBe(week.deployments.total);
    expect((await scalar(q.deployDays)) ?? 0).toBe(week.deploymentFrequency.deployDays);
    expect(week.deploymentFrequency.deployDays).toBeLessThanOrEqual(7);
    await expectSameFigures(week, q, { from: end - 7 * DAY, to: end, scope: {} });
  });

  it("the live scrape continues the backfilled series with the current DB totals", async () => {
    const t = Date.now();
    // Wait for a scrape that started after t (a condition, not a sleep).
    const deadline = t + 30_000;
    while (((await scalar('timestamp(up{job="burnrate"})', Date.now())) ?? 0) * 1000 <= t) {
      if (Date.now() > deadline) throw new Error("no scrape after t within 30 s");
      await sleep(100);
    }
    const expected = live.deployments.filter((d) => Date.parse(d.finishedAt as string) < t).length;
    expect(await scalar("sum(burnrate_deployments_total)", Date.now())).toBe(expected);
    // Same series identity (job/instance) for backfill and scrape: no duplicate label sets.
    const series = await query('count by (service, environment, result, kind) (burnrate_deployments_total)', Date.now());
    expect(series.every((s) => s.value === 1)).toBe(true);
  });
});
