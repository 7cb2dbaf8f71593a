#!/usr/bin/env node
// npm run demo — the one command that starts Burnrate on a fresh machine:
// install dependencies if needed, generate the Prisma client, build the web app if it is stale,
// then hand over to launch.mts (embedded PostgreSQL, migrations, demo data, local
// Prometheus/Alertmanager with 30 days of synthetic history when installed, and the web server).
import { spawnSync, spawn } from "node:child_process";
import { existsSync, statSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" }, ...opts });
  if (r.status !== 0) {
    console.error(`\n✗ ${cmd} ${args.join(" ")} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
};

if (!existsSync(join(root, "node_modules/.package-lock.json"))) {
  // npm install, not npm ci: see scripts/test-all.mjs (an optional vite dependency the registry lacks).
  console.log("▸ installing dependencies (npm install)…");
  run("npm", ["install", "--no-audit", "--no-fund"]);
}
if (!existsSync(join(root, "packages/db/src/generated/client.ts"))) {
  console.log("▸ generating the Prisma client…");
  run("npm", ["run", "db:generate"]);
}

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === ".next" || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}
const buildId = join(root, "apps/web/.next/BUILD_ID");
const sources = Math.max(newestMtime(join(root, "apps/web/src")), newestMtime(join(root, "packages/domain/src")), newestMtime(join(root, "packages/integrations/src")), newestMtime(join(root, "packages/db/src")));
if (!existsSync(buildId) || statSync(buildId).mtimeMs < sources) {
  console.log("▸ building the web app (next build)…");
  run("npm", ["run", "build", "-w", "@burnrate/web"]);
}

const child = spawn(process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "scripts/launch.mts"), ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
const forward = (sig) => () => child.kill(sig);
process.on("SIGINT", forward("SIGINT"));
process.on("SIGTERM", forward("SIGTERM"));
child.on("exit", (code) => process.exit(code ?? 0));
