#!/usr/bin/env node
// npm test — the one command that installs what the tests need and runs the whole suite:
//  1. Debian packages the real-tool tests use (prometheus, prometheus-alertmanager with promtool and
//     amtool, chromium, faketime), installed with apt-get when missing (needs root; services are not started)
//  2. npm dependencies (npm install with the lockfile) and the Prisma client (offline generate)
//  3. typecheck of every workspace and ESLint
//  4. each workspace's Vitest suite (domain goldens + promtool/amtool, db on embedded PostgreSQL,
//     integrations against real Prometheus/Alertmanager and contract servers, synth, stack-check,
//     demo-service, the web app's pure server-side functions), one workspace at a time because
//     several start servers
//     then the clock matrix (scripts/clock-matrix.mjs): the time-touching suites under faketime at
//     the instants where days, months, years and DST turn, in three time zones
//  5. next build, then Playwright (API + Chromium e2e against real Postgres, Prometheus, Alertmanager)
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", CI: process.env.CI ?? "1" };
const started = Date.now();
const timings = [];

function step(name, cmd, args, opts = {}) {
  const t0 = Date.now();
  console.log(`\n━━ ${name}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env, ...opts });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  timings.push(`${name.padEnd(34)} ${secs.padStart(7)} s  ${r.status === 0 ? "ok" : "FAILED"}`);
  if (r.status !== 0) {
    console.error(`\n✗ ${name} failed (exit ${r.status ?? r.signal})`);
    summary();
    process.exit(r.status || 1);
  }
}

function summary() {
  console.log(`\n━━ summary (${((Date.now() - started) / 1000).toFixed(0)} s)\n${timings.join("\n")}`);
}

// 1. Debian packages.
const needed = [
  ["/usr/bin/prometheus", "prometheus"],
  ["/usr/bin/promtool", "prometheus"],
  ["/usr/bin/prometheus-alertmanager", "prometheus-alertmanager"],
  ["/usr/bin/amtool", "prometheus-alertmanager"],
  ["/usr/bin/chromium", "chromium"],
  ["/usr/bin/faketime", "faketime"],
];
const missing = [...new Set(needed.filter(([bin]) => !existsSync(bin)).map(([, pkg]) => pkg))];
if (missing.length) {
  if (process.getuid?.() !== 0) {
    console.error(`✗ missing Debian packages: ${missing.join(" ")}. Install them with: sudo apt-get install -y --no-install-recommends ${missing.join(" ")}`);
    process.exit(1);
  }
  // Packages ship init scripts; make sure apt does not start daemons on 0.0.0.0 during install.
  if (!existsSync("/usr/sbin/policy-rc.d")) writeFileSync("/usr/sbin/policy-rc.d", "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  step("apt-get update", "apt-get", ["update", "-qq"]);
  step("apt-get install", "apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env: { ...env, DEBIAN_FRONTEND: "noninteractive" } });
}

// 2. npm dependencies and the Prisma client.
// `npm install`, not `npm ci`: vite lists an optional dependency (napi-windows-process-start-time)
// that the registry does not serve, so the lockfile cannot record it and `npm ci` refuses the
// lockfile as out of sync. `npm install` with the committed lockfile installs the same versions.
if (!existsSync(join(root, "node_modules/.package-lock.json"))) step("npm install", "npm", ["install", "--no-audit", "--no-fund"]);
step("prisma generate (offline)", "npm", ["run", "db:generate"]);

// 3. Typecheck and lint (package boundaries are lint rules).
step("typecheck", "npx", ["turbo", "run", "typecheck", "--concurrency=2", "--output-logs=errors-only"]);
step("lint", "npx", ["eslint", ".", "--max-warnings", "0"]);

// 4. Unit and integration suites, one workspace at a time.
for (const ws of ["@burnrate/domain", "@burnrate/db", "@burnrate/integrations", "@burnrate/synth", "@burnrate/stack-check", "@burnrate/demo-service", "@burnrate/web"]) {
  step(`vitest ${ws}`, "npm", ["test", "-w", ws]);
}
step("clock matrix (faketime)", "node", ["scripts/clock-matrix.mjs"]);

// 5. Build and end-to-end.
step("next build", "npm", ["run", "build", "-w", "@burnrate/web"]);
step("playwright (api + chromium)", "npm", ["run", "test:e2e", "-w", "@burnrate/web"]);

summary();
console.log("\n✓ all tests passed");
