// Shared setup for the app-level benchmarks (scripts/bench-board.mts, scripts/bench-load.mts).
//
// Brings up a throwaway copy of everything the app needs, on loopback and on free ports only:
//  - a fresh embedded PostgreSQL in a temp dir (chmod 755: Postgres runs as another user as root),
//    migrated and seeded with the demo catalogue, plus an admin API token (sent as a Bearer token
//    on every request, so the benches keep working when the API requires authentication);
//  - a local Prometheus + Alertmanager + synthetic exporter (@burnrate/synth startLocalStack) with a
//    small backfill, registered as push targets like `npm run demo` does;
//  - the production build of the web app (`next start`), with its own process group.
// Everything is stopped and the temp dir removed on exit, on failure and on Ctrl+C. Only processes
// started here are ever signalled.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as dbmod from "@burnrate/db";
import { freePort, startEmbeddedPostgres } from "@burnrate/db/embedded";
import { admitSlo, ServiceSpecSchema, SliSpecSchema, TeamSpecSchema } from "@burnrate/domain";
import { startLocalStack, type LocalStack } from "@burnrate/synth";

type Db = ReturnType<typeof dbmod.createDb>;

export const root = join(import.meta.dirname, "..");
export const log = (m: string) => console.log(`▸ ${m}`);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// cleanup

type Cleanup = { name: string; fn: () => Promise<void> | void; sync?: () => void };
const cleanups: Cleanup[] = [];
let cleaning: Promise<void> | null = null;

/** Registers a cleanup step; steps run in reverse order. `sync` is the best effort on process exit. */
export function onCleanup(name: string, fn: () => Promise<void> | void, sync?: () => void): void {
  cleanups.push({ name, fn, sync });
}

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const c = cleanups.pop() as Cleanup;
      try {
        await c.fn();
      } catch (err) {
        console.error(`  (cleanup ${c.name}: ${(err as Error).message})`);
      }
    }
  })();
  return cleaning;
}

let handlersInstalled = false;
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      console.error(`\n${sig}: stopping what the benchmark started…`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  // Last resort when the process exits without running the async cleanup (e.g. process.exit()).
  process.on("exit", () => {
    for (const c of [...cleanups].reverse()) {
      try {
        c.sync?.();
      } catch {
        /* best effort */
      }
    }
  });
}

/** Runs main(); on any error prints it, cleans up and exits 1 (setup failure). */
export async function runMain(name: string, main: () => Promise<void>): Promise<void> {
  installHandlers();
  const t0 = performance.now();
  const load = () => loadavg().map((l) => l.toFixed(1)).join(" / ");
  console.log(`(${cpus().length} CPUs; load average 1/5/15 min before the run: ${load()}; other work on this machine shares the cores and shows in the figures)`);
  try {
    await main();
  } catch (err) {
    console.error(`\n✗ ${name}: setup failed: ${(err as Error).stack ?? String(err)}`);
    await cleanup();
    process.exit(1);
  }
  await cleanup();
  console.log(`(${name} took ${((performance.now() - t0) / 1000).toFixed(0)} s; load average 1/5/15 min at the end: ${load()})`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// ports, build

/** A free loopback port that is never one the demo uses (3000, 19090, 19093, 19100). */
const RESERVED = new Set([3000, 19090, 19093, 19100]);
const handedOut = new Set<number>();
export async function benchPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await freePort(0);
    if (!RESERVED.has(p) && !handedOut.has(p)) {
      handedOut.add(p);
      return p;
    }
  }
  throw new Error("no free loopback port");
}

/** The web app must be built (`next build`); builds it only when there is no build at all. */
export function ensureBuilt(): void {
  if (!existsSync(join(root, "packages/db/src/generated/client.ts"))) {
    log("generating the Prisma client…");
    const r = spawnSync("npm", ["run", "db:generate"], { cwd: root, stdio: "inherit" });
    if (r.status !== 0) throw new Error("npm run db:generate failed");
  }
  const buildId = join(root, "apps/web/.next/BUILD_ID");
  if (!existsSync(buildId)) {
    log("no production build of apps/web: running next build…");
    const r = spawnSync("npm", ["run", "build", "-w", "@burnrate/web"], { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (r.status !== 0) throw new Error("next build failed");
    return;
  }
  // An existing build is used as it is (a running demo may serve it); say when sources are newer.
  const built = statSync(buildId).mtimeMs;
  const newer = ["apps/web/src", "packages/domain/src", "packages/integrations/src", "packages/db/src"].filter((d) => newestMtime(join(root, d)) > built);
  if (newer.length) log(`note: the production build (${new Date(built).toISOString()}) is older than ${newer.join(", ")}; run \`npm run build -w @burnrate/web\` to bench the current sources`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

// ---------------------------------------------------------------------------------------------
// HTTP

export type Res = { status: number; headers: http.IncomingHttpHeaders; body: Buffer; ms: number; ttfbMs: number };

export const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

type ReqOpts = { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number };

/**
 * One HTTP request over a keep-alive agent, timed from the call to the last byte. A request that
 * failed with ECONNRESET on a reused idle socket (the server closed it as we sent: the keep-alive
 * race) is sent once more on a new connection, as browsers do; the time counts from the first try.
 */
export const retries = { keepAliveResets: 0 };
export async function request(url: string, opts: ReqOpts = {}): Promise<Res> {
  const t0 = performance.now();
  try {
    return await requestOnce(url, opts, t0);
  } catch (err) {
    if ((err as { reusedSocketReset?: boolean }).reusedSocketReset) {
      retries.keepAliveResets++;
      return requestOnce(url, opts, t0);
    }
    throw err;
  }
}

function requestOnce(url: string, opts: ReqOpts, t0: number): Promise<Res> {
  return new Promise((resolve, reject) => {
    let ttfb = 0;
    const req = http.request(url, { method: opts.method ?? "GET", headers: opts.headers, agent, timeout: opts.timeoutMs ?? 30_000 }, (res) => {
      ttfb = performance.now() - t0;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - t0, ttfbMs: ttfb }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 30_000} ms`)));
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ECONNRESET" && req.reusedSocket && !ttfb) Object.assign(err, { reusedSocketReset: true });
      reject(err);
    });
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

// ---------------------------------------------------------------------------------------------
// statistics and tables

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function table(headers: string[], rows: (string | number)[][], align?: ("l" | "r")[]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const w = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]) => "  " + r.map((c, i) => ((align?.[i] ?? (i === 0 ? "l" : "r")) === "l" ? c.padEnd(w[i] as number) : c.padStart(w[i] as number))).join("  ");
  return [fmt(headers), "  " + w.map((n) => "-".repeat(n)).join("  "), ...cells.slice(1).map(fmt)].join("\n");
}

export const ms = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : "–");

// ---------------------------------------------------------------------------------------------
// Prometheus helpers

export async function promQuery(promUrl: string, query: string, extra: Record<string, string> = {}): Promise<{ result: { metric: Record<string, string>; value?: [number, string] }[]; stats?: { samples?: { totalQueryableSamples?: number; peakSamples?: number } } }> {
  const u = new URL("/api/v1/query", promUrl);
  u.searchParams.set("query", query);
  for (const [k, v] of Object.entries(extra)) u.searchParams.set(k, v);
  const r = await request(u.toString(), { timeoutMs: 30_000 });
  const body = JSON.parse(r.body.toString("utf8")) as { status: string; error?: string; data: { result: never[]; stats?: never } };
  if (body.status !== "success") throw new Error(`PromQL ${query}: ${body.error ?? r.status}`);
  return body.data;
}

/** Prometheus' own count of instant + range query API calls (read from its /metrics, not scraped). */
export async function promQueryApiCalls(promUrl: string): Promise<number> {
  const r = await request(`${promUrl}/metrics`);
  let n = 0;
  for (const line of r.body.toString("utf8").split("\n")) {
    if (line.startsWith("prometheus_http_requests_total{") && /handler="\/api\/v1\/query(_range)?"/.test(line)) n += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return n;
}

/** Number of SLOs whose base SLI group has been evaluated (slo:burn_rate{slo_window="5m"} exists). */
export async function slosWithData(promUrl: string): Promise<number> {
  const d = await promQuery(promUrl, 'count(count by (slo) (slo:burn_rate{slo_window="5m"}))');
  return d.result[0]?.value ? Number(d.result[0].value[1]) : 0;
}

export async function waitForData(promUrl: string, want: number, timeoutMs: number): Promise<{ have: number; seconds: number }> {
  const t0 = performance.now();
  let have = 0;
  while (performance.now() - t0 < timeoutMs) {
    have = await slosWithData(promUrl).catch(() => 0);
    if (have >= want) break;
    await sleep(1000);
  }
  return { have, seconds: (performance.now() - t0) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// the environment

export type BenchEnv = {
  tmp: string;
  db: Db;
  databaseUrl: string;
  stack: LocalStack;
  promUrl: string;
  amUrl: string;
  appUrl: string;
  app: ChildProcess;
  token: string;
  /** headers for every API call: bearer token and audit actor */
  headers: Record<string, string>;
  api: (path: string, opts?: { method?: string; json?: unknown; timeoutMs?: number }) => Promise<Res>;
  /** POST /api/v1/sync; throws unless every target ends in sync */
  sync: () => Promise<{ seconds: number; targets: { name: string; status: string; statusMessage: string }[] }>;
  appLogTail: () => string;
};

/**
 * An admin API token. Uses the documented helper when @burnrate/db has one (ensureAdminToken, or
 * ensureUser + createApiToken), else writes the rows the way those helpers do (sha256 of the token).
 */
async function adminToken(db: Db): Promise<string> {
  const m = dbmod as unknown as Record<string, unknown>;
  const password = randomBytes(18).toString("base64url");
  if (typeof m.ensureAdminToken === "function") {
    const out = (await (m.ensureAdminToken as (db: Db, ...a: unknown[]) => Promise<unknown>)(db, { name: "bench" })) as string | { token: string };
    return typeof out === "string" ? out : out.token;
  }
  if (typeof m.ensureUser === "function" && typeof m.createApiToken === "function") {
    const user = (await (m.ensureUser as (db: Db, u: unknown) => Promise<{ id: string }>)(db, { email: "bench@burnrate.local", name: "Benchmark", password, isAdmin: true }));
    return (m.createApiToken as (db: Db, id: string, name: string) => Promise<string>)(db, user.id, "bench");
  }
  const { createHash } = await import("node:crypto");
  const token = `br_${randomBytes(24).toString("base64url")}`;
  const user = await db.user.upsert({ where: { email: "bench@burnrate.local" }, update: {}, create: { email: "bench@burnrate.local", name: "Benchmark", isAdmin: true } });
  await db.apiToken.create({ data: { userId: user.id, name: "bench", tokenHash: createHash("sha256").update(token).digest("hex") } });
  return token;
}

export async function setupEnv(opts: { label: string; backfillDays?: number; backfillServices?: string[]; reconcileIntervalSeconds?: number }): Promise<BenchEnv> {
  installHandlers();
  ensureBuilt();
  const tmp = mkdtempSync(join(tmpdir(), `burnrate-${opts.label}-`));
  chmodSync(tmp, 0o755); // embedded PostgreSQL runs as an unprivileged user when we are root
  onCleanup("temp dir", () => rmSync(tmp, { recursive: true, force: true }), () => rmSync(tmp, { recursive: true, force: true }));

  let t = performance.now();
  const pg = await startEmbeddedPostgres({ dataDir: join(tmp, "postgres"), port: await benchPort() });
  const pgPid = () => {
    try {
      return Number(readFileSync(join(tmp, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
    } catch {
      return 0;
    }
  };
  const pid = pgPid();
  onCleanup("postgres", () => pg.stop(), () => {
    if (pid > 1) process.kill(pid, "SIGINT"); // fast shutdown of the postmaster we started
  });
  await dbmod.migrateDeploy(pg.url);
  const db = dbmod.createDb(pg.url);
  onCleanup("db client", () => db.$disconnect());
  const seeded = await dbmod.seedDemo(db);
  const token = await adminToken(db);
  log(`PostgreSQL ${pg.url.replace(/:[^:@/]+@/, ":***@")} migrated, demo catalogue (${seeded.slos} SLOs) loaded (${((performance.now() - t) / 1000).toFixed(1)} s)`);

  t = performance.now();
  const appPort = await benchPort();
  const stackDir = join(tmp, "stack");
  const rulesDir = join(stackDir, "rules");
  const amConfig = join(stackDir, "alertmanager", "alertmanager.yml");
  const stack = await startLocalStack({
    dataDir: stackDir,
    rulesDir,
    alertmanagerConfigPath: amConfig,
    promPort: await benchPort(),
    amPort: await benchPort(),
    exporterPort: await benchPort(),
    backfillDays: opts.backfillDays ?? 1,
    backfillServices: opts.backfillServices,
    checkContinuity: false,
    webhookUrl: `http://127.0.0.1:${appPort}/api/v1/webhooks/alertmanager`,
    log: (m) => log(`[synth] ${m}`),
  });
  if (!stack.available) throw new Error(`local Prometheus/Alertmanager unavailable: ${stack.reason}`);
  onCleanup("local stack", () => stack.stop()); // startLocalStack also SIGTERMs its children on exit
  log(`Prometheus ${stack.prometheusUrl}, Alertmanager ${stack.alertmanagerUrl}, ${opts.backfillDays ?? 1} d backfill of ${opts.backfillServices?.length ?? 12} services (${((performance.now() - t) / 1000).toFixed(1)} s)`);

  for (const tg of [
    { name: "local-prometheus", kind: "prometheus" as const, url: stack.prometheusUrl, mode: "file", settings: { rulesDir } },
    { name: "local-alertmanager", kind: "alertmanager" as const, url: stack.alertmanagerUrl, mode: "file", settings: { configPath: amConfig } },
  ]) {
    await db.pushTarget.upsert({ where: { name: tg.name }, update: { url: tg.url, settings: tg.settings }, create: tg });
  }
  const seedFile = join(stackDir, "demo-seed.json");
  if (existsSync(seedFile)) await dbmod.seedDemoDelivery(db, JSON.parse(readFileSync(seedFile, "utf8")));

  t = performance.now();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: pg.url,
    PROMETHEUS_URL: stack.prometheusUrl,
    ALERTMANAGER_URL: stack.alertmanagerUrl,
    BURNRATE_RULES_DIR: rulesDir,
    BURNRATE_ALERTMANAGER_CONFIG: amConfig,
    BURNRATE_SECRET_KEY: process.env.BURNRATE_SECRET_KEY ?? randomBytes(32).toString("base64url"),
    BURNRATE_PUBLIC_URL: appUrl,
    PORT: String(appPort),
  };
  if (opts.reconcileIntervalSeconds !== undefined) env.BURNRATE_RECONCILE_INTERVAL_SECONDS = String(opts.reconcileIntervalSeconds);
  const app = spawn(process.execPath, [join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(appPort), "-H", "127.0.0.1"], {
    cwd: join(root, "apps/web"),
    env,
    detached: true, // own process group, so stopping it stops whatever next start forked
    stdio: ["ignore", "pipe", "pipe"],
  });
  const appLog: string[] = [];
  const keep = (b: Buffer) => {
    appLog.push(b.toString("utf8"));
    if (appLog.length > 300) appLog.shift();
  };
  app.stdout?.on("data", keep);
  app.stderr?.on("data", keep);
  let exited: string | null = null;
  app.on("exit", (code, sig) => {
    exited = `exit code ${code}, signal ${sig}`;
  });
  const killApp = (sig: NodeJS.Signals) => {
    if (!app.pid || exited) return;
    try {
      process.kill(-app.pid, sig);
    } catch {
      /* gone */
    }
  };
  onCleanup(
    "web app",
    async () => {
      killApp("SIGTERM");
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      killApp("SIGKILL");
    },
    () => killApp("SIGKILL"),
  );
  const appLogTail = () => appLog.join("").slice(-3000);
  for (let i = 0; ; i++) {
    if (exited) throw new Error(`next start exited (${exited}):\n${appLogTail()}`);
    if (i > 300) throw new Error(`next start not healthy after 60 s:\n${appLogTail()}`);
    try {
      const r = await request(`${appUrl}/api/health`, { timeoutMs: 2000 });
      if (r.status === 200) break;
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
  log(`web app ${appUrl} (next start, production build) ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const headers: Record<string, string> = { authorization: `Bearer ${token}`, "x-burnrate-user": "bench", origin: appUrl };
  const api: BenchEnv["api"] = (path, o = {}) =>
    request(`${appUrl}${path}`, {
      method: o.method,
      headers: o.json !== undefined ? { ...headers, "content-type": "application/json" } : headers,
      body: o.json !== undefined ? JSON.stringify(o.json) : undefined,
      timeoutMs: o.timeoutMs,
    });
  const sync: BenchEnv["sync"] = async () => {
    const t0 = performance.now();
    const r = await api("/api/v1/sync", { method: "POST", timeoutMs: 300_000 });
    if (r.status === 401 || r.status === 403) throw new Error(`POST /api/v1/sync answered ${r.status} with the admin API token: ${r.body.toString().slice(0, 300)}`);
    if (r.status !== 200) throw new Error(`POST /api/v1/sync answered ${r.status}: ${r.body.toString().slice(0, 500)}`);
    const targets = (JSON.parse(r.body.toString()) as { items: { name: string; status: string; statusMessage: string }[] }).items;
    const bad = targets.filter((x) => x.status !== "in_sync");
    if (bad.length) throw new PushError(bad.map((b) => `${b.name}: ${b.status} ${b.statusMessage}`.slice(0, 800)).join("; "), (performance.now() - t0) / 1000);
    return { seconds: (performance.now() - t0) / 1000, targets };
  };
  // Fail early and clearly if the API does not accept the token.
  const probe = await api("/api/v1/teams");
  if (probe.status !== 200) throw new Error(`GET /api/v1/teams answered ${probe.status} with the admin API token: ${probe.body.toString().slice(0, 300)}`);
  const anon = await request(`${appUrl}/api/v1/teams`);
  log(`API authentication: ${anon.status === 401 ? "required (401 without a token); requests carry an admin API token" : `not enforced (${anon.status} without a token); requests carry an admin API token anyway`}`);

  return { tmp, db, databaseUrl: pg.url, stack, promUrl: stack.prometheusUrl, amUrl: stack.alertmanagerUrl, appUrl, app, token, headers, api, sync, appLogTail };
}

/** A push through the app that ended with a target not in sync (the app rolled it back). */
export class PushError extends Error {
  constructor(
    message: string,
    readonly seconds: number,
  ) {
    super(`push failed: ${message}`);
  }
}

/**
 * Fallback when a push through the app fails: writes the rule files the app generated for its
 * latest Prometheus revision (the exact artifacts it tried to push) into the rules dir, removes
 * managed files that are not part of it, and reloads Prometheus, with generous timeouts.
 */
export async function directPush(env: BenchEnv): Promise<{ seconds: number; files: number }> {
  const t0 = performance.now();
  const target = await env.db.pushTarget.findUniqueOrThrow({ where: { name: "local-prometheus" } });
  const rev = await env.db.revision.findFirst({ where: { targetId: target.id }, orderBy: { createdAt: "desc" } });
  const files = (rev?.artifacts as { files?: { path: string; content: string }[] } | null)?.files ?? [];
  if (!files.length) throw new Error("no generated rule files in the latest revision");
  const rulesDir = env.stack.rulesDir;
  const want = new Set(files.map((f) => f.path));
  for (const f of files) writeFileSync(join(rulesDir, f.path), f.content);
  for (const f of readdirSync(rulesDir)) if (/^(slo-|burnrate-).*\.ya?ml$/.test(f) && !want.has(f)) rmSync(join(rulesDir, f));
  const r = await request(`${env.promUrl}/-/reload`, { method: "POST", timeoutMs: 300_000 });
  if (r.status !== 200) throw new Error(`Prometheus reload answered ${r.status}: ${r.body.toString().slice(0, 500)}`);
  return { seconds: (performance.now() - t0) / 1000, files: files.length };
}

// ---------------------------------------------------------------------------------------------
// growing the catalogue

/** The 12 services the synthetic exporter serves: every extra SLI reads one of them, so it has data. */
const SYNTH_SERVICES = ["checkout", "payments", "search", "catalog", "recommendations", "auth", "profile", "gateway", "inventory", "shipping", "notifications", "reporting"];
const TIERS = ["critical", "high", "medium", "low"] as const;
const SLOS_PER_SERVICE = 5;
const SERVICES_PER_TEAM = 8; // 40 SLOs per team: 1,000 SLOs ≈ 200 services in 25 extra teams
const SLI_VARIANTS = [
  { slug: "availability", name: "availability (5xx)", errorMatchers: [{ label: "code", op: "=~", value: "5.." }] },
  { slug: "availability-500", name: "availability (500)", errorMatchers: [{ label: "code", op: "=", value: "500" }] },
  { slug: "availability-503", name: "availability (503)", errorMatchers: [{ label: "code", op: "=", value: "503" }] },
];
/** Per service: 5 SLOs over 3 availability SLIs, mixed objectives and periods. */
const SLO_VARIANTS = [
  { sli: 0, objective: 99.9, window: "30d" },
  { sli: 0, objective: 99.5, window: "7d" },
  { sli: 1, objective: 99.95, window: "28d" },
  { sli: 2, objective: 99, window: "calendar-month" },
  { sli: 0, objective: 99.99, window: "30d" },
];

const removedDemo: unknown[] = [];

/**
 * Makes the catalogue hold exactly `n` SLOs: below the 15 demo SLOs some demo SLOs are set aside
 * (and put back later); above, extra teams/services/SLIs/SLOs named bench-* are inserted directly
 * into the database (spread over teams and services, availability SLIs on the synthetic traffic,
 * each team with the demo error-budget policy).
 */
export async function resizeCatalogue(db: Db, n: number): Promise<void> {
  let count = await db.slo.count();
  if (count > n) {
    const extra = await db.slo.findMany({ where: { slug: { startsWith: "bench-" } }, orderBy: { slug: "desc" }, take: count - n, select: { id: true } });
    if (extra.length) await db.slo.deleteMany({ where: { id: { in: extra.map((e) => e.id) } } });
    count = await db.slo.count();
    if (count > n) {
      const demo = await db.slo.findMany({ where: { slug: { not: { startsWith: "bench-" } } }, orderBy: { slug: "desc" }, take: count - n });
      removedDemo.push(...demo);
      await db.slo.deleteMany({ where: { id: { in: demo.map((d) => d.id) } } });
    }
    return;
  }
  while (removedDemo.length && count < n) {
    const row = removedDemo.pop() as Parameters<Db["slo"]["create"]>[0]["data"];
    await db.slo.create({ data: row });
    count++;
  }
  if (count >= n) return;

  const steps = (await db.errorBudgetPolicy.findFirst({ where: { slug: { endsWith: "-default" } } }))?.steps ?? [];
  const have = await db.slo.count({ where: { slug: { startsWith: "bench-" } } });
  const pad = (i: number, w = 4) => String(i).padStart(w, "0");
  const teams = new Map<string, { id: string; policyId: string }>();
  const services = new Map<string, string>();
  const slis = new Map<string, string>();
  for (const t of await db.team.findMany({ where: { slug: { startsWith: "bench-" } }, include: { policies: true } })) teams.set(t.slug, { id: t.id, policyId: t.policies[0]?.id ?? "" });
  for (const s of await db.service.findMany({ where: { slug: { startsWith: "bench-" } } })) services.set(s.slug, s.id);
  for (const s of await db.sli.findMany({ where: { service: { slug: { startsWith: "bench-" } } }, include: { service: true } })) slis.set(`${s.service.slug}/${s.slug}`, s.id);

  const newTeams: { id: string; slug: string; name: string; description: string }[] = [];
  const newPolicies: { id: string; slug: string; name: string; teamId: string; steps: never }[] = [];
  const newServices: { id: string; slug: string; name: string; teamId: string; tier: (typeof TIERS)[number]; owner: string; labels: Record<string, never>; description: string }[] = [];
  const newSlis: { id: string; slug: string; name: string; serviceId: string; kind: string; spec: { kind: string; metric: string; matchers: { label: string; op: string; value: string }[]; errorMatchers: { label: string; op: string; value: string }[] } }[] = [];
  const newSlos: { id: string; slug: string; name: string; sliId: string; objective: number; window: string; alerting: { enabled: boolean; page: boolean; ticket: boolean; minEvents: number }; labels: Record<string, never>; policyId: string }[] = [];
  for (let i = have; i < have + (n - count); i++) {
    const svcIdx = Math.floor(i / SLOS_PER_SERVICE);
    const teamIdx = Math.floor(svcIdx / SERVICES_PER_TEAM);
    const teamSlug = `bench-team-${pad(teamIdx, 3)}`;
    if (!teams.has(teamSlug)) {
      const id = randomUUID();
      const policyId = randomUUID();
      teams.set(teamSlug, { id, policyId });
      newTeams.push({ id, slug: teamSlug, name: `Bench team ${teamIdx}`, description: "Synthetic team (benchmark)." });
      newPolicies.push({ id: policyId, slug: `${teamSlug}-default`, name: `Bench team ${teamIdx} default policy`, teamId: id, steps: steps as never });
    }
    const team = teams.get(teamSlug) as { id: string; policyId: string };
    const synth = SYNTH_SERVICES[svcIdx % SYNTH_SERVICES.length] as string;
    const svcSlug = `bench-${synth}-${pad(svcIdx)}`;
    if (!services.has(svcSlug)) {
      const id = randomUUID();
      services.set(svcSlug, id);
      newServices.push({ id, slug: svcSlug, name: `${synth} shard ${svcIdx}`, teamId: team.id, tier: TIERS[svcIdx % TIERS.length] ?? "medium", owner: `owner${svcIdx % 50}@example.com`, labels: {}, description: `Synthetic service reading the ${synth} traffic.` });
    }
    const variant = SLO_VARIANTS[i % SLO_VARIANTS.length] as (typeof SLO_VARIANTS)[number];
    const sv = SLI_VARIANTS[variant.sli] as (typeof SLI_VARIANTS)[number];
    const sliKey = `${svcSlug}/${sv.slug}`;
    if (!slis.has(sliKey)) {
      const id = randomUUID();
      slis.set(sliKey, id);
      const spec = { kind: "availability", metric: "http_requests_total", matchers: [{ label: "job", op: "=", value: "demo" }, { label: "service", op: "=", value: synth }], errorMatchers: sv.errorMatchers };
      newSlis.push({ id, slug: sv.slug, name: `${svcSlug} ${sv.name}`, serviceId: services.get(svcSlug) as string, kind: "availability", spec });
    }
    newSlos.push({
      id: randomUUID(),
      slug: `bench-${pad(i, 5)}-${synth}`,
      name: `${synth} shard ${svcIdx} ${sv.name} ${variant.objective}% ${variant.window}`,
      sliId: slis.get(sliKey) as string,
      objective: variant.objective,
      window: variant.window,
      alerting: { enabled: true, page: true, ticket: true, minEvents: i % 4 === 3 ? 100 : 0 },
      labels: {},
      policyId: team.policyId,
    });
  }
  // The app skips rows that do not validate; make sure every generated SLO is a valid spec.
  const svcById = new Map(newServices.map((s) => [s.id, s]));
  const teamById = new Map(newTeams.map((t) => [t.id, t]));
  const sliById = new Map(newSlis.map((s) => [s.id, s]));
  for (const o of newSlos) {
    const sli = sliById.get(o.sliId);
    const svc = sli && svcById.get(sli.serviceId);
    if (!sli || !svc) continue; // SLI/service created by an earlier call, already validated then
    const team = teamById.get(svc.teamId);
    TeamSpecSchema.parse({ slug: team?.slug ?? "bench-team-000", name: team?.name ?? "Bench team" });
    ServiceSpecSchema.parse({ slug: svc.slug, name: svc.name, team: team?.slug ?? "bench-team-000", tier: svc.tier, owner: svc.owner, description: svc.description, labels: {} });
    // Bulk rows skip the catalogue service, so they pass the same admission gate here.
    const admitted = admitSlo({ slug: o.slug, name: o.name, service: svc.slug, sli: SliSpecSchema.parse(sli.spec), objective: o.objective, window: o.window, alerting: o.alerting, labels: {} });
    if (!admitted.ok) throw new Error(`bench SLO ${o.slug} refused by the admission gate: ${JSON.stringify(admitted.errors)}`);
  }
  await db.$transaction([
    db.team.createMany({ data: newTeams }),
    db.errorBudgetPolicy.createMany({ data: newPolicies }),
    db.service.createMany({ data: newServices }),
    db.sli.createMany({ data: newSlis }),
    db.slo.createMany({ data: newSlos }),
  ]);
}

/** Distinct teams and services that own at least one SLO. */
export async function catalogueShape(db: Db): Promise<{ slos: number; services: number; teams: number }> {
  const svc = await db.service.findMany({ where: { slis: { some: { slos: { some: {} } } } }, select: { teamId: true } });
  return { slos: await db.slo.count(), services: svc.length, teams: new Set(svc.map((s) => s.teamId)).size };
}
