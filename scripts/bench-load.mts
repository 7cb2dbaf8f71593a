// npm run bench:load — load and fault test of the API at a fixed request rate (open model).
//
// Same environment as the board bench (production build, embedded PostgreSQL with the demo
// catalogue, local Prometheus + Alertmanager with the generated rules pushed, all on loopback and
// free ports, removed afterwards). Each scenario sends requests on a fixed schedule (default
// 50 req/s for 20 s, sized for a 2-core machine that also runs the app, PostgreSQL and
// Prometheus) whatever the server does, and measures latency from the scheduled send time, so a
// slow server cannot hide its queueing (no coordinated omission). Scenarios:
//   GET /api/v1/slos, GET /api/v1/slos/:slug (all 15 demo SLOs in turn), GET /api/v1/board,
//   POST /api/v1/teams + DELETE /api/v1/teams/:slug (write path with audit and reconcile trigger),
//   board while Prometheus is stopped (SIGTERM at 1/3, started again at 2/3 of the run),
//   board while Prometheus hangs (SIGSTOP at 1/5, SIGCONT at 4/5: longer than the app's 8 s timeout).
// The two fault runs use BURNRATE_LOAD_FAULT_RATE (default 10 req/s), a rate the board sustains
// here, so that responses are not blurred across phases by queueing.
// Prints figures; exits non-zero only when the environment cannot be set up.
//
// Environment: BURNRATE_LOAD_RATE (req/s, default 50), BURNRATE_LOAD_FAULT_RATE (default 10),
// BURNRATE_LOAD_SECONDS (default 20).
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { log, ms, onCleanup, percentile, request, retries, runMain, setupEnv, sleep, table, waitForData, type BenchEnv } from "./bench-support.mts";

const RATE = Number(process.env.BURNRATE_LOAD_RATE ?? 50);
/** The fault runs use a rate the board sustains on 2 cores, so phases are not blurred by queueing. */
const FAULT_RATE = Number(process.env.BURNRATE_LOAD_FAULT_RATE ?? 10);
const SECONDS = Number(process.env.BURNRATE_LOAD_SECONDS ?? 20);
const MAX_IN_FLIGHT = 2000;

type Sample = { label: string; sentAt: number; doneAt: number; latency: number; status: number; error?: string; promOk?: boolean };
/** A few distinct bodies of non-2xx responses per scenario, to say what failed. */
const failures = new Map<string, Map<string, number>>();
function noteFailure(label: string, status: number, body: string): void {
  let m = failures.get(label);
  if (!m) failures.set(label, (m = new Map()));
  let msg = body.slice(0, 300);
  try {
    const e = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
    if (e) msg = `${e.code}: ${e.message}`.slice(0, 300);
  } catch {
    /* not JSON */
  }
  const key = `${status} ${msg}`;
  if (m.has(key) || m.size < 5) m.set(key, (m.get(key) ?? 0) + 1);
}
type Op = (i: number, due: number) => Promise<Sample[]>;

/** Fires op(i) at start + i/rate for `seconds`, never waiting for responses (open model). */
async function openLoad(rate: number, seconds: number, op: Op, onTick?: (elapsedMs: number) => void): Promise<{ samples: Sample[]; wallS: number; dropped: number; maxInFlight: number }> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const start = performance.now();
  const samples: Sample[] = [];
  const pending: Promise<void>[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let dropped = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    onTick?.(performance.now() - start);
    if (inFlight >= MAX_IN_FLIGHT) {
      dropped++;
      continue;
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    pending.push(
      op(i, due)
        .then((s) => void samples.push(...s))
        .finally(() => void inFlight--),
    );
  }
  await Promise.all(pending);
  return { samples, wallS: (performance.now() - start) / 1000, dropped, maxInFlight };
}

/** One timed request; latency from the scheduled time `due` (or from the send when due is omitted). */
async function timed(env: BenchEnv, label: string, path: string, due: number | null, o: { method?: string; json?: unknown; board?: boolean } = {}): Promise<Sample> {
  const sent = performance.now();
  try {
    const r = await env.api(path, { method: o.method, json: o.json, timeoutMs: 60_000 });
    const done = performance.now();
    const s: Sample = { label, sentAt: sent, doneAt: done, latency: done - (due ?? sent), status: r.status };
    if (r.status < 200 || r.status > 299) noteFailure(label, r.status, r.body.toString("utf8"));
    if (o.board && r.status === 200) s.promOk = (JSON.parse(r.body.toString("utf8")) as { prometheus: { ok: boolean } }).prometheus.ok;
    return s;
  } catch (err) {
    const done = performance.now();
    return { label, sentAt: sent, doneAt: done, latency: done - (due ?? sent), status: 0, error: (err as Error).message };
  }
}

type Stats = { label: string; rate: number; n: number; rps: number; p50: number; p90: number; p99: number; max: number; ok2xx: number; non2xx: string; errors: number; extra: string };
function stats(label: string, rate: number, samples: Sample[], wallS: number, extra = ""): Stats {
  const lat = samples.map((s) => s.latency).sort((a, b) => a - b);
  const codes = new Map<number, number>();
  for (const s of samples) if (s.status && (s.status < 200 || s.status > 299)) codes.set(s.status, (codes.get(s.status) ?? 0) + 1);
  const errs = new Map<string, number>();
  for (const s of samples) if (s.error) errs.set(s.error, (errs.get(s.error) ?? 0) + 1);
  if (errs.size) extra += `; errors: ${[...errs].map(([m, k]) => `${k}× ${m}`).join(", ")}`;
  return {
    label,
    rate,
    n: samples.length,
    rps: samples.filter((s) => s.status).length / wallS,
    p50: percentile(lat, 50),
    p90: percentile(lat, 90),
    p99: percentile(lat, 99),
    max: lat[lat.length - 1] ?? NaN,
    ok2xx: samples.filter((s) => s.status >= 200 && s.status < 300).length,
    non2xx: codes.size ? [...codes].map(([c, k]) => `${k}×${c}`).join(" ") : "0",
    errors: samples.filter((s) => !s.status).length,
    extra,
  };
}

await runMain("load bench", async () => {
  console.log(`\nAPI load and fault test: ${RATE} req/s (faults: ${FAULT_RATE} req/s) for ${SECONDS} s per scenario (open model, latency from the scheduled send time)`);
  const env = await setupEnv({ label: "bench-load", backfillDays: 1 });
  const sync = await env.sync();
  const slugs = (JSON.parse((await env.api("/api/v1/slos")).body.toString("utf8")) as { items: { slug: string }[] }).items.map((s) => s.slug);
  log(`pushed the rules of ${slugs.length} SLOs in ${sync.seconds.toFixed(1)} s; warming up every route while Prometheus evaluates them…`);
  const warm = (async () => {
    for (let k = 0; k < 3; k++) {
      for (const s of slugs) await env.api(`/api/v1/slos/${s}`);
      await env.api("/api/v1/slos");
      await env.api("/api/v1/board");
      const slug = `load-warmup-${k}`;
      await env.api("/api/v1/teams", { method: "POST", json: { slug, name: `Warm-up ${k}` } });
      await env.api(`/api/v1/teams/${slug}`, { method: "DELETE" });
    }
  })();
  const data = await waitForData(env.promUrl, slugs.length, 45_000);
  await warm;
  log(`${data.have}/${slugs.length} SLOs evaluated by Prometheus after ${data.seconds.toFixed(0)} s`);

  const rows: Stats[] = [];
  const faultRows: (string | number)[][] = [];
  const pause = () => sleep(2000);

  // ---- reads
  for (const [label, path] of [
    ["GET /api/v1/slos", () => "/api/v1/slos"],
    ["GET /api/v1/slos/:slug", (i: number) => `/api/v1/slos/${slugs[i % slugs.length]}`],
    ["GET /api/v1/board", () => "/api/v1/board"],
  ] as const) {
    const r = await openLoad(RATE, SECONDS, async (i, due) => [await timed(env, label, path(i), due, { board: label.includes("board") })]);
    const notOk = r.samples.filter((s) => s.promOk === false).length;
    rows.push(stats(label, RATE, r.samples, r.wallS, `${label.includes("board") ? `prometheus.ok=false: ${notOk}; ` : ""}max in flight ${r.maxInFlight}${r.dropped ? `, dropped ${r.dropped}` : ""}`));
    log(`${label}: done`);
    await pause();
  }

  // ---- writes: a team created and deleted; pairs at RATE/2 so the request rate stays RATE
  {
    const run = Date.now().toString(36);
    const r = await openLoad(RATE / 2, SECONDS, async (i, due) => {
      const slug = `load-${run}-${i}`;
      const post = await timed(env, "POST /api/v1/teams", "/api/v1/teams", due, { method: "POST", json: { slug, name: `Load team ${i}`, description: "load test" } });
      const del = await timed(env, "DELETE /api/v1/teams/:slug", `/api/v1/teams/${slug}`, null, { method: "DELETE" });
      return [post, del];
    });
    const left = await env.db.team.count({ where: { slug: { startsWith: `load-${run}-` } } });
    for (const label of ["POST /api/v1/teams", "DELETE /api/v1/teams/:slug"]) {
      rows.push(stats(label, RATE / 2, r.samples.filter((s) => s.label === label), r.wallS, label.startsWith("POST") ? `${RATE / 2} pairs/s; teams left behind: ${left}` : "sent right after its POST"));
    }
    log("POST+DELETE /api/v1/teams: done");
    await sleep(3000); // let the debounced reconcile triggered by the edits run
  }

  // ---- faults on the board
  const promPid = () => env.stack.pids.prometheus ?? 0;
  let currentProm = promPid();
  const cmdline = readFileSync(`/proc/${currentProm}/cmdline`, "utf8").split("\0").filter(Boolean);
  let restarted: number | null = null;
  const stopRestarted = async () => {
    if (!restarted) return;
    const pid = restarted;
    restarted = null;
    try {
      process.kill(-pid, "SIGCONT");
      process.kill(-pid, "SIGTERM");
    } catch {
      return;
    }
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await sleep(100);
    }
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      /* gone */
    }
  };
  onCleanup("restarted prometheus", stopRestarted, () => {
    if (restarted) {
      try {
        process.kill(-restarted, "SIGCONT");
        process.kill(-restarted, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  });

  async function faultRun(label: string, fault: { at: number; action: () => Promise<void> | void }, heal: { at: number; action: () => Promise<void> | void }) {
    let faultAt = Infinity;
    let healAt = Infinity;
    let faultDone = false;
    let healDone = false;
    const acts: Promise<void>[] = [];
    const t0 = performance.now();
    const r = await openLoad(FAULT_RATE, SECONDS, async (_i, due) => [await timed(env, label, "/api/v1/board", due, { board: true })], (elapsed) => {
      if (!faultDone && elapsed >= fault.at) {
        faultDone = true;
        faultAt = performance.now();
        acts.push(Promise.resolve(fault.action()));
      }
      if (!healDone && elapsed >= heal.at) {
        healDone = true;
        healAt = performance.now();
        acts.push(Promise.resolve(heal.action()));
      }
    });
    await Promise.all(acts);
    const phases = [
      ["before", r.samples.filter((s) => s.sentAt < faultAt)],
      ["during", r.samples.filter((s) => s.sentAt >= faultAt && s.sentAt < healAt)],
      ["after", r.samples.filter((s) => s.sentAt >= healAt)],
    ] as const;
    // Recovery: first response after the heal that reports Prometheus ok again (by completion time).
    const okAfter = r.samples.filter((s) => s.doneAt >= healAt && s.promOk).sort((a, b) => a.doneAt - b.doneAt)[0];
    const recovered = okAfter ? `${((okAfter.doneAt - healAt) / 1000).toFixed(1)} s after the heal` : "not within the run";
    rows.push(stats(label, FAULT_RATE, r.samples, r.wallS, `fault ${((faultAt - t0) / 1000).toFixed(0)}–${((healAt - t0) / 1000).toFixed(0)} s; ok=true again ${recovered}; max in flight ${r.maxInFlight}`));
    for (const [phase, ss] of phases) {
      const st = stats(phase, FAULT_RATE, ss, 1);
      faultRows.push([label, phase, st.n, ss.filter((s) => s.promOk === true).length, ss.filter((s) => s.promOk === false).length, st.non2xx, ss.filter((s) => s.status >= 500).length, st.errors, ms(st.p50), ms(st.p99)]);
    }
    log(`${label}: done`);
  }

  await faultRun(
    "board, Prometheus stopped",
    {
      at: (SECONDS * 1000) / 3,
      action: async () => {
        process.kill(currentProm, "SIGTERM");
        for (let i = 0; i < 100; i++) {
          try {
            process.kill(currentProm, 0);
          } catch {
            return;
          }
          await sleep(100);
        }
      },
    },
    {
      at: (SECONDS * 2000) / 3,
      action: () => {
        const logFile = join(env.stack.dataDir, "logs", "prometheus-restarted.log");
        const fd = openSync(logFile, "a");
        const child = spawn(cmdline[0] as string, cmdline.slice(1), { detached: true, stdio: ["ignore", fd, fd] });
        closeSync(fd);
        restarted = child.pid ?? null;
        currentProm = child.pid ?? 0;
        child.unref();
      },
    },
  );
  // Wait for the restarted Prometheus before the next scenario.
  for (let i = 0; i < 300; i++) {
    const ok = await request(`${env.promUrl}/-/ready`, { timeoutMs: 1000 }).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (i === 299) throw new Error("Prometheus did not come back after the restart");
    await sleep(200);
  }
  await pause();

  let stopped = false;
  const resume = () => {
    if (!stopped) return;
    stopped = false;
    try {
      process.kill(currentProm, "SIGCONT");
    } catch {
      /* gone */
    }
  };
  onCleanup("SIGCONT prometheus", resume, resume);
  await faultRun(
    "board, Prometheus hung",
    {
      at: (SECONDS * 1000) / 5,
      action: () => {
        stopped = true;
        process.kill(currentProm, "SIGSTOP");
      },
    },
    { at: (SECONDS * 4000) / 5, action: resume }, // longer than the app's 8 s Prometheus timeout
  );

  console.log(`\nAPI, ${SECONDS} s per scenario at the given request rate (latency in ms from the scheduled send time; resp/s = responses per second of wall time, including the drain of any backlog):\n`);
  console.log(
    table(
      ["scenario", "req/s", "requests", "resp/s", "p50", "p90", "p99", "max", "2xx", "non-2xx", "errors", "notes"],
      rows.map((r) => [r.label, r.rate, r.n, r.rps.toFixed(1), ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), r.ok2xx, r.non2xx, r.errors, r.extra]),
      ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "l"],
    ),
  );
  console.log(`\nFault scenarios at ${FAULT_RATE} req/s, by phase (requests sent before / during / after the fault):\n`);
  console.log(table(["scenario", "phase", "requests", "prom ok", "prom not ok", "non-2xx", "5xx", "errors", "p50", "p99"], faultRows, ["l", "l", "r", "r", "r", "r", "r", "r", "r", "r"]));
  for (const [label, m] of failures) {
    console.log(`\n  non-2xx bodies of ${label}:`);
    for (const [k, n] of m) console.log(`    ${n}× ${k}`);
  }
  console.log(`\n  "errors" are connection errors or timeouts (60 s) on the client side; "non-2xx" counts HTTP statuses other than 2xx.`);
  console.log(`  Requests re-sent after the keep-alive race (ECONNRESET on a reused idle connection): ${retries.keepAliveResets}.`);
});
