// On-call board benchmark (part of `npm run bench`): server time, response size and PromQL query
// count of GET /api/v1/board for 10, 100 and 1,000 SLOs, against the production build, a real
// PostgreSQL and a real Prometheus evaluating the generated rules of every SLO.
//
//   npx tsx scripts/bench-board.mts
//
// Environment: BURNRATE_BENCH_SIZES (default 10,100,1000), BURNRATE_BENCH_REQUESTS (default 20),
// BURNRATE_BENCH_DATA_WAIT (seconds to wait for every SLO's first rule evaluation, default 45).
//
// One PostgreSQL and one Prometheus serve all sizes, smallest first: the catalogue is grown between
// sizes (extra SLOs spread over teams and services, availability SLIs on the synthetic traffic),
// pushed through the app (POST /api/v1/sync: promtool check, write, reload, verify), and the bench
// waits until Prometheus has evaluated the base rules of every SLO (slo:burn_rate{slo_window="5m"})
// before timing. (Largest first would skip those waits, but Prometheus keeps the series of removed
// rule groups for two group intervals, up to 10 min, so smaller sizes would read too many series.) The background reconcile loop is off (BURNRATE_RECONCILE_INTERVAL_SECONDS=0) so nothing
// else runs in the app while it is timed. PromQL per request is counted twice: the `queryCount`
// field of the response, and the delta of Prometheus' own prometheus_http_requests_total for the
// query endpoints divided by the number of board requests.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { BOARD_QUERIES as BOARD_QUERIES_BY_FIGURE } from "@burnrate/domain";
import { PushError, catalogueShape, directPush, log, ms, percentile, promQuery, promQueryApiCalls, resizeCatalogue, runMain, setupEnv, table, waitForData } from "./bench-support.mts";

const SIZES = (process.env.BURNRATE_BENCH_SIZES ?? "10,100,1000")
  .split(",")
  .map((s) => Number(s.trim()))
  .filter((n) => n > 0)
  .sort((a, b) => a - b);
const REQUESTS = Number(process.env.BURNRATE_BENCH_REQUESTS ?? 20);
/** Warm-up: at least this many requests and at least WARMUP_MS (JIT, connection pools, policy-state rows). */
const WARMUP = 5;
const WARMUP_MS = 3000;
const DATA_WAIT_S = Number(process.env.BURNRATE_BENCH_DATA_WAIT ?? 45);
/** The board's queries (domain BOARD_QUERIES, as live.ts runs them), run directly for their stats. */
const BOARD_QUERIES = Object.values(BOARD_QUERIES_BY_FIGURE);

type Row = {
  n: number;
  shape: string;
  push: string;
  withData: number;
  rows: number;
  rowsWithBurn: number;
  queryCount: string;
  promPerReq: number;
  series: number;
  peakSamples: number;
  p50: number;
  p95: number;
  max: number;
  ttfb50: number;
  bytes: number;
  gz: number;
  promOk: boolean;
};

await runMain("board bench", async () => {
  console.log(`\nOn-call board: GET /api/v1/board for ${SIZES.join(", ")} SLOs (${REQUESTS} timed requests each, after ≥ ${WARMUP} warm-up requests and ≥ ${WARMUP_MS / 1000} s)`);
  const env = await setupEnv({ label: "bench-board", backfillDays: 1, reconcileIntervalSeconds: 0 });
  const rulesDir = join(env.stack.dataDir, "rules");
  const results: Row[] = [];
  const pushFailures: string[] = [];
  for (const n of SIZES) {
    await resizeCatalogue(env.db, n);
    const shape = await catalogueShape(env.db);
    let push: string;
    try {
      const sync = await env.sync();
      push = sync.seconds.toFixed(1);
    } catch (err) {
      if (!(err instanceof PushError)) throw err;
      // The app rolled the push back (it keeps the last good rules live). Report it, then load the
      // files the app generated directly so the board can still be measured at this size.
      log(`${n} SLOs: push through the app FAILED after ${err.seconds.toFixed(1)} s: ${err.message.slice(0, 400)}`);
      const d = await directPush(env);
      log(`  wrote the app's ${d.files} generated rule files directly and reloaded Prometheus in ${d.seconds.toFixed(1)} s`);
      push = `failed ${err.seconds.toFixed(0)} s*`;
      pushFailures.push(`${n} SLOs: ${err.message.slice(0, 300)}`);
    }
    const files = readdirSync(rulesDir).filter((f) => f.startsWith("slo-")).length;
    if (files !== n) throw new Error(`expected ${n} SLO rule files in ${rulesDir} after the push, found ${files}`);
    const data = await waitForData(env.promUrl, n, DATA_WAIT_S * 1000);
    log(`${n} SLOs (${shape.services} services, ${shape.teams} teams): push ${push} s, ${data.have}/${n} SLOs evaluated after ${data.seconds.toFixed(0)} s`);

    const w0 = performance.now();
    for (let i = 0; i < WARMUP || performance.now() - w0 < WARMUP_MS; i++) {
      const r = await env.api("/api/v1/board", { timeoutMs: 120_000 });
      if (r.status !== 200) throw new Error(`GET /api/v1/board answered ${r.status}: ${r.body.toString().slice(0, 500)}\n${env.appLogTail()}`);
    }
    const before = await promQueryApiCalls(env.promUrl);
    const times: number[] = [];
    const ttfbs: number[] = [];
    let last: { body: Buffer; json: { queryCount?: number; items: { burnRates: Record<string, number> }[]; prometheus: { ok: boolean; error: string | null } } } | null = null;
    const queryCounts = new Set<number | string>();
    for (let i = 0; i < REQUESTS; i++) {
      const r = await env.api("/api/v1/board", { timeoutMs: 120_000 });
      if (r.status !== 200) throw new Error(`GET /api/v1/board answered ${r.status}: ${r.body.toString().slice(0, 500)}`);
      times.push(r.ms);
      ttfbs.push(r.ttfbMs);
      const json = JSON.parse(r.body.toString("utf8"));
      queryCounts.add(json.queryCount ?? "absent");
      last = { body: r.body, json };
    }
    const after = await promQueryApiCalls(env.promUrl);
    if (!last) throw new Error("no board response");
    let series = 0;
    let peakSamples = 0;
    for (const q of BOARD_QUERIES) {
      const d = await promQuery(env.promUrl, q, { stats: "all" });
      series += d.result.length;
      peakSamples = Math.max(peakSamples, d.stats?.samples?.peakSamples ?? 0);
    }
    times.sort((a, b) => a - b);
    ttfbs.sort((a, b) => a - b);
    results.push({
      n,
      shape: `${shape.teams}/${shape.services}`,
      push,
      withData: data.have,
      rows: last.json.items.length,
      rowsWithBurn: last.json.items.filter((it) => Object.keys(it.burnRates).length > 0).length,
      queryCount: [...queryCounts].join("/"),
      promPerReq: (after - before) / REQUESTS,
      series,
      peakSamples,
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      max: times[times.length - 1] as number,
      ttfb50: percentile(ttfbs, 50),
      bytes: last.body.length,
      gz: gzipSync(last.body).length,
      promOk: last.json.prometheus.ok,
    });
    if (!last.json.prometheus.ok) log(`  board reports Prometheus not ok: ${last.json.prometheus.error}`);
  }

  results.sort((a, b) => a.n - b.n);
  const kb = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`);
  console.log("\nOn-call board, GET /api/v1/board (server time measured on loopback, keep-alive, sequential requests):\n");
  console.log(
    table(
      ["SLOs", "teams/services", "rows", "rows w/ burn", "queryCount", "PromQL/req (Prometheus)", "series read", "p50 ms", "p95 ms", "max ms", "TTFB p50 ms", "response", "gzip", "push s"],
      results.map((r) => [r.n, r.shape, r.rows, r.rowsWithBurn, r.queryCount, r.promPerReq.toFixed(2), r.series, ms(r.p50), ms(r.p95), ms(r.max), ms(r.ttfb50), kb(r.bytes), kb(r.gz), r.push]),
    ),
  );
  const counts = new Set(results.map((r) => r.promPerReq.toFixed(2)));
  const first = results[0];
  const lastRow = results[results.length - 1];
  console.log(
    `\n  PromQL queries per board request: ${[...counts].join(", ")} across ${results.map((r) => r.n).join("/")} SLOs` +
      (counts.size === 1 ? " (flat: independent of the number of SLOs)" : " (NOT flat)") +
      (first && lastRow && lastRow !== first ? `; server time p50 ×${(lastRow.p50 / first.p50).toFixed(1)} and response ×${(lastRow.bytes / first.bytes).toFixed(0)} from ${first.n} to ${lastRow.n} SLOs` : ""),
  );
  console.log(`  "push s": POST /api/v1/sync to Prometheus and Alertmanager (generate, promtool check, write, reload, verify), from the previous size.`);
  for (const f of pushFailures) console.log(`  * push through the app failed and was rolled back by the app; the bench then loaded the app's generated files directly. ${f}`);
  console.log(`  "rows w/ burn": rows with at least one burn-rate window evaluated at timing time (the 1 d/3 d/period windows and budget appear within 5 min of a push).`);
  console.log(`  "series read": series returned by the 4 board queries run directly against Prometheus; peak samples per query ≤ ${Math.max(...results.map((r) => r.peakSamples))}.`);
});
