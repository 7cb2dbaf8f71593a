// Reconcile benchmark (part of `npm run bench`): how long the drift check of a push target takes
// when nothing changed (the background loop's steady state), for 100 and 1,000 SLOs, against the
// production build, a real PostgreSQL and a real Prometheus/Alertmanager with every SLO's rules loaded.
//
//   npx tsx scripts/bench-reconcile.mts
//
// Environment: BURNRATE_BENCH_SIZES (default 100,1000), BURNRATE_BENCH_PASSES (default 3).
// Each pass is POST /api/v1/sync (reconcile every target); the app logs a breakdown per target
// when a check takes over 2 s ("[reconciler] <target>: drift check took …"), printed below.
import { performance } from "node:perf_hooks";
import { catalogueShape, log, resizeCatalogue, runMain, setupEnv, table } from "./bench-support.mts";

const SIZES = (process.env.BURNRATE_BENCH_SIZES ?? "100,1000").split(",").map((s) => Number(s.trim())).filter((n) => n > 0).sort((a, b) => a - b);
const PASSES = Number(process.env.BURNRATE_BENCH_PASSES ?? 3);

await runMain("reconcile bench", async () => {
  console.log(`\nReconcile with nothing to change: POST /api/v1/sync for ${SIZES.join(", ")} SLOs (${PASSES} passes each, after a push)`);
  const env = await setupEnv({ label: "bench-reconcile", backfillDays: 0, reconcileIntervalSeconds: 0 });
  const rows: (string | number)[][] = [];
  for (const n of SIZES) {
    await resizeCatalogue(env.db, n);
    const shape = await catalogueShape(env.db);
    const push = await env.sync();
    log(`${n} SLOs (${shape.services} services): first push ${push.seconds.toFixed(1)} s`);
    const times: number[] = [];
    for (let i = 0; i < PASSES; i++) {
      const t0 = performance.now();
      const r = await env.sync();
      times.push((performance.now() - t0) / 1000);
      const notes = r.targets.filter((t) => t.status !== "in_sync");
      if (notes.length) throw new Error(`a no-op pass left targets out of sync: ${JSON.stringify(notes)}`);
    }
    const revisions = await env.db.revision.count({ where: { createdAt: { gt: new Date(Date.now() - times.reduce((a, b) => a + b, 0) * 1000) } } });
    const breakdown = env.appLogTail().split("\n").filter((l) => l.includes("drift check took")).slice(-2);
    for (const b of breakdown) log(`  ${b.trim()}`);
    times.sort((a, b) => a - b);
    rows.push([n, `${shape.teams}/${shape.services}`, push.seconds.toFixed(1), times[0]?.toFixed(2) ?? "–", times[Math.floor(times.length / 2)]?.toFixed(2) ?? "–", times[times.length - 1]?.toFixed(2) ?? "–", revisions]);
  }
  console.log("\nNo-op reconcile (every target checked for drift; seconds):\n");
  console.log(table(["SLOs", "teams/services", "first push", "min", "median", "max", "pushes during no-op passes"], rows, ["r", "r", "r", "r", "r", "r", "r"]));
  console.log("\n'pushes during no-op passes' must be 0: a pass that finds no drift writes nothing.");
});
