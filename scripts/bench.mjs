#!/usr/bin/env node
// npm run bench — prints figures, exits non-zero only when a bench could not be set up.
//  1. the domain bench (`npm run bench -w @burnrate/domain`): rule generation time for 1k/10k SLOs,
//     rules per SLO, and Prometheus evaluation cost of the generated rules vs a naive rule set;
//  2. the on-call board bench (scripts/bench-board.mts): GET /api/v1/board server time, response
//     size and PromQL query count for 10/100/1,000 SLOs against the production build, an embedded
//     PostgreSQL and a local Prometheus (all on loopback, free ports, removed afterwards);
//  3. the reconcile bench (scripts/bench-reconcile.mts): how long a drift check with nothing to
//     change takes for 100/1,000 SLOs (the background loop's steady-state cost).
// Options: --board-only, --domain-only, --no-reconcile. BURNRATE_BENCH_SIZES / BURNRATE_BENCH_REQUESTS tune step 2.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
// The domain bench keeps its inputs in $BURNRATE_BENCH_DIR (default /tmp/burnrate-bench, shared
// by every run on the machine); give this run its own directory so concurrent runs do not collide.
const benchDir = process.env.BURNRATE_BENCH_DIR ?? mkdtempSync(join(tmpdir(), "burnrate-bench-domain-"));
const ownDir = !process.env.BURNRATE_BENCH_DIR;
process.on("exit", () => {
  if (ownDir) rmSync(benchDir, { recursive: true, force: true });
});
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1", BURNRATE_BENCH_DIR: benchDir };

let child = null;
let interrupted = false;
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    interrupted = true;
    // the child cleans up what it started (temp dirs, Postgres, Prometheus, next start)
    if (child && child.exitCode === null) child.kill(sig);
    else process.exit(130);
  });
}

function run(title, cmd, cmdArgs) {
  console.log(`\n=== ${title} ===`);
  const t0 = Date.now();
  return new Promise((resolve) => {
    child = spawn(cmd, cmdArgs, { cwd: root, stdio: "inherit", env });
    child.on("exit", (code, signal) => {
      child = null;
      if (interrupted) process.exit(130);
      const s = ((Date.now() - t0) / 1000).toFixed(0);
      if (code !== 0) console.error(`\n✗ ${title} failed (${signal ? `signal ${signal}` : `exit ${code}`}, ${s} s)`);
      resolve(code === 0 ? 0 : (code ?? 1));
    });
  });
}

const t0 = Date.now();
let failed = 0;
// Both run even when the first fails, so one broken part does not hide the other's figures.
if (!args.has("--board-only")) failed = (await run("Domain: rule generation and Prometheus evaluation cost", "npm", ["run", "bench", "-w", "@burnrate/domain"])) || failed;
if (!args.has("--domain-only")) failed = (await run("On-call board: 10 / 100 / 1,000 SLOs", process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "scripts/bench-board.mts")])) || failed;
if (!args.has("--domain-only") && !args.has("--board-only") && !args.has("--no-reconcile")) {
  failed = (await run("Reconcile with nothing to change: 100 / 1,000 SLOs", process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "scripts/bench-reconcile.mts")])) || failed;
}
console.log(`\nnpm run bench: ${failed ? "a bench failed to set up" : "done"} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exit(failed);
