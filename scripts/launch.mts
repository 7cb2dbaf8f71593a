// Started by `npm run demo` (scripts/demo.mjs). Brings up everything Burnrate needs locally:
//  1. PostgreSQL: DATABASE_URL if set, otherwise a real embedded PostgreSQL under .data/postgres
//  2. migrations (offline runner) and demo data (idempotent)
//  3. when Debian's prometheus/prometheus-alertmanager are installed: a local Prometheus and
//     Alertmanager with 30 days of backfilled synthetic traffic, registered as push targets
//  4. the Next.js server on http://127.0.0.1:$PORT (default 3000)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApiToken, createDb, migrateDeploy, seedDemo, seedDemoUsers, sha256 } from "@burnrate/db";
import { freePort, startEmbeddedPostgres } from "@burnrate/db/embedded";

const root = join(import.meta.dirname, "..");
const dataDir = process.env.BURNRATE_DATA_DIR ?? join(root, ".data");
const args = new Set(process.argv.slice(2));
const withPrometheus = !args.has("--no-prometheus") && process.env.BURNRATE_LOCAL_STACK !== "0";
const port = await freePort(Number(process.env.PORT ?? 3000));
const stops: (() => Promise<void> | void)[] = [];
const log = (m: string) => console.log(`▸ ${m}`);

async function shutdown(code = 0) {
  for (const s of stops.reverse()) {
    try {
      await s();
    } catch {
      /* best effort */
    }
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

mkdirSync(dataDir, { recursive: true });
// A stable secret key for the embedded default, so encrypted tokens survive restarts.
const keyFile = join(dataDir, "secret.key");
if (!process.env.BURNRATE_SECRET_KEY) {
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString("base64url"), { mode: 0o600 });
  process.env.BURNRATE_SECRET_KEY = readFileSync(keyFile, "utf8").trim();
}

// /api/metrics is token-protected; the demo's Prometheus reads the token from this file.
const metricsTokenFile = join(dataDir, "metrics.token");
if (!process.env.BURNRATE_METRICS_TOKEN) {
  if (!existsSync(metricsTokenFile)) writeFileSync(metricsTokenFile, randomBytes(24).toString("base64url"), { mode: 0o600 });
  process.env.BURNRATE_METRICS_TOKEN = readFileSync(metricsTokenFile, "utf8").trim();
} else writeFileSync(metricsTokenFile, process.env.BURNRATE_METRICS_TOKEN, { mode: 0o600 });

let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  log(`starting embedded PostgreSQL (data in ${join(dataDir, "postgres")})…`);
  const pg = await startEmbeddedPostgres({ dataDir: join(dataDir, "postgres"), port: 54329 });
  stops.push(() => pg.stop());
  databaseUrl = pg.url;
  log(`PostgreSQL ready at ${pg.url.replace(/:[^:@/]+@/, ":***@")}`);
} else {
  log("using DATABASE_URL");
}
const { applied } = await migrateDeploy(databaseUrl);
log(applied.length ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date");
const db = createDb(databaseUrl);
const seeded = await seedDemo(db);
log(seeded.created ? `loaded demo data: ${seeded.teams} teams, ${seeded.services} services, ${seeded.slos} SLOs` : `demo data present (${seeded.slos} SLOs)`);

// Demo accounts (login is on by default). The password is random per data dir, kept in .data.
const pwFile = join(dataDir, "demo-password");
if (!existsSync(pwFile)) writeFileSync(pwFile, process.env.BURNRATE_DEMO_PASSWORD ?? randomBytes(9).toString("base64url"), { mode: 0o600 });
const demoPassword = readFileSync(pwFile, "utf8").trim();
const accounts = await seedDemoUsers(db, demoPassword);
// A token for the launcher's own calls (first sync), reused across starts.
const tokenFile = join(dataDir, "launcher-token");
let launcherToken = existsSync(tokenFile) ? readFileSync(tokenFile, "utf8").trim() : "";
if (!launcherToken || !(await db.apiToken.findUnique({ where: { tokenHash: sha256(launcherToken) } }))) {
  const admin = await db.user.findUniqueOrThrow({ where: { email: "admin@burnrate.local" } });
  launcherToken = await createApiToken(db, admin.id, "demo-launcher");
  writeFileSync(tokenFile, launcherToken, { mode: 0o600 });
}

// The demo's receivers are local webhook sinks (loopback), which the receiver policy refuses unless listed.
const env: Record<string, string> = { BURNRATE_AUTH: "on", BURNRATE_LONG_RULE_INTERVAL: "1m", BURNRATE_RECEIVER_ALLOW: "127.0.0.1", ...(process.env as Record<string, string>), DATABASE_URL: databaseUrl, PORT: String(port), BURNRATE_PUBLIC_URL: process.env.BURNRATE_PUBLIC_URL ?? `http://127.0.0.1:${port}` };

if (withPrometheus) {
  const synth = (await import("@burnrate/synth")) as {
    startLocalStack: (o: Record<string, unknown>) => Promise<{ available: boolean; reason?: string; prometheusUrl?: string; alertmanagerUrl?: string; stop?: () => Promise<void> }>;
  };
  const stackDir = join(dataDir, "stack");
  const rulesDir = join(stackDir, "rules");
  const amConfig = join(stackDir, "alertmanager", "alertmanager.yml");
  log("starting local Prometheus + Alertmanager (first start backfills 30 days of synthetic traffic)…");
  const stack = await synth.startLocalStack({
    dataDir: stackDir,
    rulesDir,
    alertmanagerConfigPath: amConfig,
    promPort: await freePort(19090),
    amPort: await freePort(19093),
    exporterPort: await freePort(19100),
    burnrateMetricsUrl: `http://127.0.0.1:${port}/api/metrics`,
    burnrateSelfMetricsUrl: `http://127.0.0.1:${port}/api/metrics/burnrate`,
    burnrateMetricsTokenFile: metricsTokenFile,
    webhookUrl: `http://127.0.0.1:${port}/api/v1/webhooks/alertmanager`,
  });
  if (!stack.available) {
    log(`local Prometheus not started: ${stack.reason ?? "unavailable"} (views will show "Prometheus unreachable")`);
  } else {
    if (stack.stop) stops.push(stack.stop);
    env.PROMETHEUS_URL = stack.prometheusUrl ?? "";
    env.ALERTMANAGER_URL = stack.alertmanagerUrl ?? "";
    env.BURNRATE_RULES_DIR = rulesDir;
    env.BURNRATE_ALERTMANAGER_CONFIG = amConfig;
    log(`Prometheus ${stack.prometheusUrl}, Alertmanager ${stack.alertmanagerUrl}`);
    // Register (or re-point, since ports can change between runs) the local push targets.
    const targets = [
      { name: "local-prometheus", kind: "prometheus" as const, url: env.PROMETHEUS_URL, mode: "file", settings: { rulesDir } },
      { name: "local-alertmanager", kind: "alertmanager" as const, url: env.ALERTMANAGER_URL, mode: "file", settings: { configPath: amConfig } },
    ];
    for (const t of targets) {
      await db.pushTarget.upsert({ where: { name: t.name }, update: { url: t.url, settings: t.settings, nextAttemptAt: null, failureCount: 0 }, create: t });
    }
    const seedFile = join(stackDir, "demo-seed.json");
    if (existsSync(seedFile)) {
      const { seedDemoDelivery } = await import("@burnrate/db");
      const n = await seedDemoDelivery(db, JSON.parse(readFileSync(seedFile, "utf8")));
      if (n.deployments || n.incidents) log(`loaded ${n.deployments} demo deployments and ${n.incidents} incidents`);
    }
  }
} else {
  log("local Prometheus disabled (--no-prometheus)");
}
await db.$disconnect();

const next = spawn(process.execPath, [join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: join(root, "apps/web"), env, stdio: ["ignore", "inherit", "inherit"] });
stops.push(() => {
  next.kill("SIGTERM");
});
next.on("exit", (code) => void shutdown(code ?? 1));
for (let i = 0; i < 100; i++) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/api/health`);
    if (r.ok) break;
  } catch {
    /* not yet */
  }
  await new Promise((r) => setTimeout(r, 200));
}
// First push right away so the rules are live before anyone opens the UI.
await fetch(`http://127.0.0.1:${port}/api/v1/sync`, { method: "POST", headers: { authorization: `Bearer ${launcherToken}` } }).catch(() => undefined);
if (env.PROMETHEUS_URL && env.BURNRATE_RULES_DIR) {
  const marker = join(dataDir, "stack", "rules-backfilled");
  if (!existsSync(marker)) {
    const { backfillBaseRules } = await import("./backfill-rules.mts");
    const t0 = Date.now();
    const r = backfillBaseRules({ prometheusUrl: env.PROMETHEUS_URL, rulesDir: env.BURNRATE_RULES_DIR, tsdbDir: join(dataDir, "stack", "prometheus"), end: new Date(Date.now() - 60_000) });
    log(`${r.message} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    if (r.ok) writeFileSync(marker, new Date().toISOString());
  }
  // Window ratios, burn rates, budget and coverage for the last day (the SLO page's burn chart),
  // once the base blocks are loaded; in the background so the UI is usable meanwhile.
  const derivedMarker = join(dataDir, "stack", "derived-rules-backfilled");
  if (existsSync(marker) && !existsSync(derivedMarker)) {
    const { backfillDerivedRules } = await import("./backfill-rules.mts");
    const t0 = Date.now();
    void backfillDerivedRules({ prometheusUrl: env.PROMETHEUS_URL, rulesDir: env.BURNRATE_RULES_DIR, tsdbDir: join(dataDir, "stack", "prometheus"), end: new Date(Date.now() - 60_000) })
      .then((r) => {
        log(`${r.message} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        if (r.ok) writeFileSync(derivedMarker, new Date().toISOString());
      })
      .catch((e: unknown) => log(`derived rule backfill failed: ${(e as Error).message}`));
  }
  const doraMarker = join(dataDir, "stack", "dora-backfilled");
  if (!existsSync(doraMarker)) {
    const { backfillDoraHistory } = await import("./backfill-dora.mts");
    const t0 = Date.now();
    const r = await backfillDoraHistory({ databaseUrl, tsdbDir: join(dataDir, "stack", "prometheus"), instance: `127.0.0.1:${port}`, now: Date.now() }).catch((e: unknown) => ({ ok: false, message: `DORA backfill failed: ${(e as Error).message}` }));
    log(`${r.message} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    if (r.ok) writeFileSync(doraMarker, new Date().toISOString());
  }
}
console.log(`\n  Burnrate is running at http://127.0.0.1:${port}\n`);
if (env.BURNRATE_AUTH !== "off") {
  console.log(`  Sign in with password ${demoPassword} as one of:`);
  for (const a of accounts) console.log(`    ${a.email.padEnd(34)} ${a.role}`);
}
console.log(`\n  (Ctrl+C stops the app${withPrometheus ? ", Prometheus and Alertmanager" : ""} and the embedded database)\n`);
