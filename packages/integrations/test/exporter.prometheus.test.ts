/**
 * Integration: backfill `renderOpenMetricsHistory` for a seeded 30-day history into a real
 * Prometheus (promtool tsdb create-blocks-from openmetrics), let it scrape
 * `renderExposition(doraSeriesAt(rows, now))` from a local HTTP server, then check every
 * `doraPromql` query against `computeDora`.
 *
 * Evaluation time is the last UTC midnight M, a point on the backfill grid (step 1h from M − 30d),
 * so the window [M − 28d, M) is sampled exactly at both edges. Tolerances:
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
  doraPromql,
  LEAD_TIME_BUCKETS,
  RESTORE_BUCKETS,
  type DoraMetrics,
  type DoraReport,
} from "@burnrate/domain";
import { doraSeriesAt, EXPOSITION_CONTENT_TYPE, renderExposition, renderOpenMetricsHistory } from "../src/exporter/index";
import { DAY, SEED_TEAMS, WEIRD_TEAM, seedHistory } from "./exporter.seed";

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
  const { deployments, incidents, midnight } = seedHistory(now);
  const rows = { deployments, incidents };
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
  async function scalar(expr: string, time = midnight): Promise<number | null> {
    const r = await query(expr, time);
    if (r.length > 1) throw new Error(`${expr}: ${r.length} series`);
    return r[0]?.value ?? null;
  }

  beforeAll(async () => {
    report = computeDora(deployments, incidents, { from: midnight - 28 * DAY, to: midnight, ...opts });
    exporterPort = await freePort();
    promPort = await freePort([exporterPort]);
    const instance = `127.0.0.1:${exporterPort}`;

    // 1. Backfill the history on an hourly grid, with the labels the scrape will add.
    const om = renderOpenMetricsHistory(rows, midnight - 30 * DAY, midnight, 3600, { ...opts, extraLabels: { job: "burnrate", instance } });
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

    // 2. Serve the live exposition (recomputed from the rows on every scrape).
    server = createServer((req, res) => {
      if (req.url !== "/metrics") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": EXPOSITION_CONTENT_TYPE }).end(renderExposition(doraSeriesAt(rows, Date.now(), opts)));
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

  async function expectMatches(m: DoraMetrics, q: ReturnType<typeof doraPromql>) {
    expect(m.deployments.total).toBeGreaterThan(0);
    expect(await scalar(q.deployments)).toBe(m.deployments.total);
    expect(await scalar(q.deploymentsPerDay)).toBeCloseTo(m.deploymentFrequency.perDay, 9);
    expect((await scalar(q.deployDays)) ?? 0).toBe(m.deploymentFrequency.deployDays);
    expect((await scalar(q.deployDaysPerWeek)) ?? 0).toBeCloseTo(m.deploymentFrequency.deployDaysPerWeek, 9);
    expect(await scalar(q.changeFailureRate)).toBeCloseTo(m.changeFailureRate!, 9);
    expect(await scalar(q.failedDeployments)).toBe(m.deployments.failed);
    expect(await scalar(q.reworkRate)).toBeCloseTo(m.reworkRate!, 9);
    expect(await scalar(q.leadTimeCount)).toBe(m.leadTime.count);
    expect(await scalar(q.leadTimeMeanSeconds)).toBeCloseTo(m.leadTime.meanSeconds!, 3);
    const leadMedian = await scalar(q.leadTimeMedianSeconds);
    expect(bucketOf(leadMedian, LEAD_TIME_BUCKETS)).toBe(bucketOf(m.leadTime.medianSeconds, LEAD_TIME_BUCKETS));
    expect(bucketOf(await scalar(q.leadTimeP90Seconds), LEAD_TIME_BUCKETS)).toBe(bucketOf(m.leadTime.p90Seconds, LEAD_TIME_BUCKETS));
    if (m.failedDeploymentRecoveryTime.count > 0) {
      expect(await scalar(q.recoveryMeanSeconds)).toBeCloseTo(m.failedDeploymentRecoveryTime.meanSeconds!, 3);
      expect(bucketOf(await scalar(q.recoveryMedianSeconds), RESTORE_BUCKETS)).toBe(bucketOf(m.failedDeploymentRecoveryTime.medianSeconds, RESTORE_BUCKETS));
    }
    // Same DORA band from PromQL as from the DB.
    const fromProm: DoraMetrics = {
      ...m,
      leadTime: { ...m.leadTime, medianSeconds: leadMedian },
      failedDeploymentRecoveryTime: { ...m.failedDeploymentRecoveryTime, medianSeconds: m.failedDeploymentRecoveryTime.count ? await scalar(q.recoveryMedianSeconds) : null },
    };
    for (const set of ["2024", "2023", "2021"] as const) expect(classifyDora(fromProm, set)).toEqual(classifyDora(m, set));
  }

  it("overall: counts, frequency, deploy days, CFR, rework, lead time and recovery match", async () => {
    const m = report.overall;
    // The seed avoids failures straddling the window start, so recognised = deployment-attributed.
    expect(m.deployments.failuresRecognized).toBe(m.deployments.failed);
    await expectMatches(m, doraPromql({ window: "28d" }));
    const q = doraPromql({ window: "28d" });
    expect(await scalar(q.incidents)).toBe(m.incidents.opened);
    expect(await scalar(q.timeToRestoreMeanSeconds)).toBeCloseTo(m.timeToRestore.meanSeconds!, 3);
    expect(bucketOf(await scalar(q.timeToRestoreMedianSeconds), RESTORE_BUCKETS)).toBe(bucketOf(m.timeToRestore.medianSeconds, RESTORE_BUCKETS));
  });

  it("per service (filtered) and per team, including a team name that needs escaping", async () => {
    for (const service of Object.keys(report.byService)) await expectMatches(report.byService[service]!, doraPromql({ service }));
    await expectMatches(report.byTeam[WEIRD_TEAM]!, doraPromql({ team: WEIRD_TEAM }));
  });

  it("grouped by service returns one series per service with the DB deploy counts", async () => {
    const r = await query(doraPromql({ by: "service" }).deployments, midnight);
    expect(Object.fromEntries(r.map((x) => [x.metric.service, x.value]))).toEqual(
      Object.fromEntries(Object.entries(report.byService).map(([s, m]) => [s, m.deployments.total])),
    );
  });

  it("a 7d window ending at the same midnight matches too", async () => {
    const week = computeDora(deployments, incidents, { from: midnight - 7 * DAY, to: midnight, ...opts }).overall;
    const q = doraPromql({ window: "7d" });
    expect(await scalar(q.deployments)).toBe(week.deployments.total);
    expect((await scalar(q.deployDays)) ?? 0).toBe(week.deploymentFrequency.deployDays);
    expect(await scalar(q.changeFailureRate)).toBeCloseTo(week.changeFailureRate!, 9);
  });

  it("the live scrape continues the backfilled series with the current DB totals", async () => {
    const t = Date.now();
    await sleep(2500); // at least one scrape after t
    const expected = deployments.filter((d) => Date.parse(d.finishedAt as string) < t).length;
    expect(await scalar("sum(burnrate_deployments_total)", Date.now())).toBe(expected);
    // Same series identity (job/instance) for backfill and scrape: no duplicate label sets.
    const series = await query('count by (service, environment, result, kind) (burnrate_deployments_total)', Date.now());
    expect(series.every((s) => s.value === 1)).toBe(true);
  });
});
