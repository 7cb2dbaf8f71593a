// Rule evaluation cost: Burnrate's generated rules (5m base rates + windows derived with
// sum_over_time) vs a naive rule set (every window recomputed from raw counters with rate(x[W])),
// both loaded into a real Prometheus over the same backfilled synthetic data.
//
//   npx tsx bench/generate.ts && node bench/eval-cost.mjs
//
// Uses /usr/bin/prometheus and /usr/bin/promtool, loopback ports 19120-19121 only.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const DIR = process.env.BURNRATE_BENCH_DIR ?? join(tmpdir(), "burnrate-bench");
const DAYS = Number(process.env.BURNRATE_BENCH_DAYS ?? 3.25);
const WARMUP_S = Number(process.env.BURNRATE_BENCH_WARMUP ?? 45);
const PROMETHEUS = "/usr/bin/prometheus";
const PROMTOOL = "/usr/bin/promtool";
for (const bin of [PROMETHEUS, PROMTOOL]) {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: apt-get install -y --no-install-recommends prometheus`);
}
const manifestPath = join(DIR, "manifest.json");
if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: run npx tsx bench/generate.ts first`);
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));

// ---- 1. Synthetic data: counters at 60 s and the recorded 5m base rates at 30 s ----------------
const INSTANCES = 5;
const METHODS = ["GET", "POST"];
const STEP = 60;
const now = Math.floor(Date.now() / 1000 / STEP) * STEP;
const start = now - Math.round((DAYS * 86400) / STEP) * STEP;
const minutes = (now - start) / STEP;
const baseRps = { checkout: 20, payments: 8, search: 40, auth: 15 };

function errorShare(service, t) {
  const hoursAgo = (now - t) / 3600;
  if (service === "checkout" && hoursAgo > 24 && hoursAgo < 26) return 0.05; // fast burn incident
  if (service === "search" && hoursAgo < 30) return 0.003; // slow burn
  return 0.0005;
}
/** Per-second rates per minute for one (service, method): [total, errors]. */
function minuteRates(service, method) {
  const tot = new Float64Array(minutes + 1);
  const err = new Float64Array(minutes + 1);
  for (let m = 0; m <= minutes; m++) {
    const t = start + m * STEP;
    const diurnal = 1 + 0.5 * Math.sin((2 * Math.PI * (t % 86400)) / 86400);
    const r = ((baseRps[service] ?? 10) * diurnal * (method === "GET" ? 0.7 : 0.3)) / INSTANCES;
    tot[m] = r;
    err[m] = r * errorShare(service, t);
  }
  return { tot, err };
}

const om = join(DIR, "bench.om");
const fd = openSync(om, "w");
let buf = [];
const flush = () => {
  writeSync(fd, buf.join(""));
  buf = [];
};
const rates = {};
buf.push("# TYPE http_requests counter\n");
for (const service of manifest.services) {
  for (const method of METHODS) {
    const r = minuteRates(service, method);
    rates[`${service}/${method}`] = r;
    for (let i = 0; i < INSTANCES; i++) {
      for (const code of ["200", "500"]) {
        let c = 0;
        const lbl = `{code="${code}",instance="10.0.0.${i}:8080",job="demo",method="${method}",service="${service}"}`;
        for (let m = 0; m <= minutes; m++) {
          c += (code === "500" ? r.err[m] : r.tot[m] - r.err[m]) * STEP;
          buf.push(`http_requests_total${lbl} ${c.toFixed(3)} ${start + m * STEP}\n`);
        }
        flush();
      }
    }
  }
}
// The generated rules derive every window from recorded 5m rates, which a fresh Prometheus does not
// have yet; in production they accumulate (or are backfilled with promtool). Emit that history.
const lblText = (l) => `{${Object.keys(l).sort().map((k) => `${k}="${l[k]}"`).join(",")}}`;
for (const [name, key] of [["slo:sli_error:rate5m", "err"], ["slo:sli_total:rate5m", "tot"]]) {
  buf.push(`# TYPE ${name} gauge\n`);
  for (const slo of manifest.slos) {
    const methods = slo.method ? [slo.method] : METHODS;
    const l = lblText(slo.labels);
    for (let t = start + 300; t <= now - 30; t += 30) {
      const m = Math.floor((t - start) / STEP);
      let v = 0;
      for (const method of methods) {
        const r = rates[`${slo.service}/${method}`][key];
        let s = 0;
        for (let k = 0; k < 5; k++) s += r[Math.max(0, m - k)];
        v += (s / 5) * INSTANCES;
      }
      buf.push(`${name}${l} ${v.toFixed(6)} ${t}\n`);
    }
    flush();
  }
}
buf.push("# EOF\n");
flush();
closeSync(fd);

const data = join(DIR, "data");
rmSync(data, { recursive: true, force: true });
let t0 = Date.now();
const imp = spawnSync(PROMTOOL, ["tsdb", "create-blocks-from", "--max-block-duration=720h", "openmetrics", om, data], { encoding: "utf8" });
if (imp.status !== 0) throw new Error(`promtool import failed: ${imp.stderr}`);
console.log(`Backfilled ${DAYS} days (${manifest.services.length} services × ${METHODS.length} methods × ${INSTANCES} instances × 2 codes, ${manifest.slos.length} SLOs) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
rmSync(om);

// ---- 2. Run each rule set in its own Prometheus ------------------------------------------------
async function measure(variant, port) {
  const dataDir = join(DIR, `data-${variant}`);
  rmSync(dataDir, { recursive: true, force: true });
  cpSync(data, dataDir, { recursive: true });
  const cfg = join(DIR, `prometheus-${variant}.yml`);
  spawnSync("sh", ["-c", `printf 'global: {evaluation_interval: 5s}\\nrule_files: ["${join(DIR, variant)}/*.yml"]\\n' > ${cfg}`]);
  const chk = spawnSync(PROMTOOL, ["check", "config", cfg], { encoding: "utf8" });
  if (chk.status !== 0) throw new Error(chk.stdout + chk.stderr);
  const proc = spawn(PROMETHEUS, [
    `--config.file=${cfg}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`,
    "--storage.tsdb.retention.time=90d", `--web.external-url=http://127.0.0.1:${port}`, "--log.level=warn",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/-/ready`)).ok) break;
      } catch {
        // not listening yet
      }
      if (i > 200 || proc.exitCode !== null) throw new Error(`prometheus (${variant}) did not start:\n${log}`);
      await sleep(100);
    }
    await sleep(WARMUP_S * 1000);
    const samples = [];
    for (let k = 0; k < 4; k++) {
      const text = await (await fetch(`${base}/metrics`)).text();
      const groups = {};
      for (const m of text.matchAll(/^prometheus_rule_group_last_duration_seconds\{rule_group="[^;"]*;([^"]+)"\} (\S+)$/gm)) groups[m[1]] = Number(m[2]);
      samples.push(groups);
      await sleep(5000);
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const failures = [...metrics.matchAll(/^prometheus_rule_evaluation_failures_total\{[^}]*\} (\S+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
    const missed = [...metrics.matchAll(/^prometheus_rule_group_iterations_missed_total\{[^}]*\} (\S+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
    const rules = (await (await fetch(`${base}/api/v1/rules`)).json()).data.groups.flatMap((g) => g.rules);
    const unhealthy = rules.filter((r) => r.health !== "ok").length;
    const ratios = {};
    for (const w of ["5m", "1h", "6h", "1d", "3d", "30d"]) {
      const q = encodeURIComponent(`slo:sli_error:ratio{slo_window="${w}"}`);
      const res = (await (await fetch(`${base}/api/v1/query?query=${q}`)).json()).data.result;
      ratios[w] = Object.fromEntries(res.map((s) => [s.metric.slo, Number(s.value[1])]));
    }
    const names = Object.keys(samples[0]);
    const avg = Object.fromEntries(names.map((n) => [n, samples.reduce((a, s) => a + (s[n] ?? 0), 0) / samples.length]));
    return { avg, rules: rules.length, unhealthy, failures, missed, ratios };
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.on("exit", r)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function kind(group) {
  const m = /-(sli|windows|long|alerts)$/.exec(group);
  return m ? m[1] : null;
}

t0 = Date.now();
const gen = await measure("generated", 19120);
const naive = await measure("naive", 19121);
rmSync(data, { recursive: true, force: true });

const perRound = (r) => Object.values(r.avg).reduce((a, b) => a + b, 0);
const perHour = (r, intervals) =>
  Object.entries(r.avg).reduce((a, [g, d]) => a + (d * 3600) / (typeof intervals === "number" ? intervals : intervals[kind(g)]), 0);
const genHourProd = perHour(gen, manifest.productionIntervals.generated);
const naiveHourProd = perHour(naive, manifest.productionIntervals.naive);

console.log(`\nRule evaluation cost (${manifest.slos.length} SLOs, prometheus_rule_group_last_duration_seconds, mean of 4 samples):`);
console.log(`  generated: ${gen.rules} rules, ${Object.keys(gen.avg).length} groups, one round of every group ${(perRound(gen) * 1000).toFixed(1)} ms`);
for (const k of ["sli", "windows", "long", "alerts"]) {
  const ms = Object.entries(gen.avg).filter(([g]) => kind(g) === k).reduce((a, [, d]) => a + d, 0) * 1000;
  console.log(`    ${k.padEnd(8)} groups: ${ms.toFixed(1)} ms per round (production interval ${manifest.productionIntervals.generated[k]} s)`);
}
console.log(`  naive:     ${naive.rules} rules, ${Object.keys(naive.avg).length} groups, one round ${(perRound(naive) * 1000).toFixed(1)} ms (every window from raw rate(x[W]))`);
console.log(`  ratio naive/generated, one round of every group: ${(perRound(naive) / perRound(gen)).toFixed(2)}x`);
console.log(`  evaluation seconds per hour at production intervals: generated ${genHourProd.toFixed(1)} s, naive ${naiveHourProd.toFixed(1)} s, ratio ${(naiveHourProd / genHourProd).toFixed(2)}x`);
console.log(`  health: generated ${gen.unhealthy} unhealthy rules / ${gen.failures} eval failures / ${gen.missed} missed iterations; naive ${naive.unhealthy} / ${naive.failures} / ${naive.missed}`);
console.log("\nAccuracy, derived vs raw error ratio (mean relative difference over SLOs):");
for (const w of Object.keys(gen.ratios)) {
  const diffs = Object.entries(gen.ratios[w]).filter(([s]) => naive.ratios[w]?.[s] > 0).map(([s, v]) => Math.abs(v - naive.ratios[w][s]) / naive.ratios[w][s]);
  const mean = diffs.length ? diffs.reduce((a, b) => a + b, 0) / diffs.length : NaN;
  console.log(`  ${w.padEnd(4)} ${(mean * 100).toFixed(2)}% (${diffs.length} SLOs)`);
}
console.log(`(Prometheus runs took ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
