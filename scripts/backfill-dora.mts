// Backfills the DORA series that Prometheus scrapes from Burnrate's /api/metrics over the demo's
// 30 days of deployments and incidents, so the DORA view's PromQL figures match the database
// figures from the first start (a counter that first appears today would read as "no deploys in
// the window" to increase()). Same series and labels as the live scrape (job "burnrate", the app's
// instance), rendered by the exporter's renderOpenMetricsHistory and imported with
// `promtool tsdb create-blocks-from openmetrics`; the blocks are moved into the running
// Prometheus' data dir, which picks them up within about a minute (overlapping blocks are merged).
import { createDb, loadDoraRows } from "@burnrate/db";
import { renderOpenMetricsHistory } from "@burnrate/integrations";
import { importBlocks } from "./tsdb-import.mts";

/** `now` (epoch ms) is the instant the history ends at, read by the caller. */
export async function backfillDoraHistory(opts: { databaseUrl: string; tsdbDir: string; instance: string; now: number; days?: number; promtool?: string }): Promise<{ ok: boolean; message: string }> {
  const db = createDb(opts.databaseUrl);
  let rows;
  try {
    rows = await loadDoraRows(db);
  } finally {
    await db.$disconnect();
  }
  if (!rows.deployments.length && !rows.incidents.length) return { ok: false, message: "no deployments or incidents to backfill" };
  const hour = 3600_000;
  // An hourly grid ending at the last full hour (before the first live scrape of this run at the latest).
  const to = Math.floor(opts.now / hour) * hour;
  const from = to - (opts.days ?? 30) * 24 * hour;
  const om = renderOpenMetricsHistory(
    { deployments: rows.deployments, incidents: rows.incidents },
    from,
    to,
    3600,
    { teams: rows.teams, services: rows.services, extraLabels: { job: "burnrate", instance: opts.instance } },
  );
  const r = importBlocks({ tsdbDir: opts.tsdbDir, inputName: "dora.om", input: om, args: ["openmetrics", "--max-block-duration=720h"], promtool: opts.promtool, timeoutMs: 300_000 });
  if (!r.ok) return r;
  return { ok: true, message: `backfilled DORA history (${rows.deployments.length} deployments, ${rows.incidents.length} incidents) into ${r.blocks} block(s)` };
}
