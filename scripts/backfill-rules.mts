// Backfills the recording rules over the demo's synthetic history:
// - backfillBaseRules: the base SLI rules (slo:sli_error:rate5m, slo:sli_total:rate5m and the 5m
//   ratio/burn) over 30 days, so every long window and the period budget, which are derived from
//   those base series on a fixed time grid, are right the first time the demo opens;
// - backfillDerivedRules: every other recording rule the views and alerts read (window ratios,
//   burn rates, budget, events, coverage, info) over the last day, so the SLO page's 24h burn chart
//   has history too. Alerting rules cannot be backfilled (no ALERTS history for that stretch).
// Uses `promtool tsdb create-blocks-from rules`; blocks are moved into the running Prometheus'
// data dir, which picks them up within about a minute.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { HISTORY_BACKFILL_METRIC } from "@burnrate/domain";
import { importBlocks } from "./tsdb-import.mts";

type Group = { name: string; interval?: string; rules: { record?: string; alert?: string }[] };

export function backfillBaseRules(opts: { prometheusUrl: string; rulesDir: string; tsdbDir: string; end: Date; days?: number; promtool?: string }): { ok: boolean; message: string } {
  const groups: Group[] = [];
  for (const f of readdirSync(opts.rulesDir).filter((n) => n.startsWith("slo-") && n.endsWith(".yml")).sort()) {
    const doc = parse(readFileSync(join(opts.rulesDir, f), "utf8")) as { groups?: Group[] };
    for (const g of doc.groups ?? []) {
      if (!g.name.endsWith("-sli")) continue;
      // 5m steps keep each block under query_range's 11,000-point limit and the import fast.
      groups.push({ ...g, interval: "5m", rules: g.rules.filter((r) => r.record) });
    }
  }
  if (!groups.length) return { ok: false, message: "no SLO rule groups to backfill" };
  const end = Math.floor(opts.end.getTime() / 1000);
  const start = end - (opts.days ?? 30) * 86400;
  const r = importBlocks({
    tsdbDir: opts.tsdbDir,
    inputName: "base-rules.yml",
    input: stringify({ groups }),
    args: ["rules", "--max-block-duration=720h", "-q", `--url=${opts.prometheusUrl}`, `--start=${start}`, `--end=${end}`],
    outputFlag: true,
    promtool: opts.promtool,
  });
  if (!r.ok) return r;
  // Mark the stretch as backfilled: alerting rules are not (cannot be) backfilled, so the SLO page
  // says the alert history there is not recorded instead of "no alerts fired".
  const marker = [`# TYPE ${HISTORY_BACKFILL_METRIC} gauge`];
  for (let t = start; t <= end; t += 300) marker.push(`${HISTORY_BACKFILL_METRIC}{source="demo"} 1 ${t}`);
  const m = importBlocks({ tsdbDir: opts.tsdbDir, inputName: "backfilled.om", input: `${marker.join("\n")}\n# EOF\n`, args: ["openmetrics", "--max-block-duration=720h"], promtool: opts.promtool });
  if (!m.ok) return m;
  return { ok: true, message: `backfilled ${groups.length} SLI groups into ${r.blocks} block(s)` };
}

/** Waits until `expr` (a count) is above zero at `at` (epoch s): blocks moved in are loaded within about a minute. */
async function waitForSeries(prometheusUrl: string, expr: string, at: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr, time: String(at) })}`);
      const body = (await r.json()) as { data?: { result?: { value?: [number, string] }[] } };
      if (Number(body.data?.result?.[0]?.value?.[1] ?? 0) > 0) return true;
    } catch {
      // Prometheus busy or restarting: try again
    }
    await new Promise((res) => setTimeout(res, 5000));
  }
  return false;
}

/**
 * Backfills the derived recording rules (every group but `-sli` and `-alerts`) over the last
 * `hours` before `end`, after the base backfill is loaded. Rules that read other derived rules
 * (burn rate and budget read the window ratios) go in a second pass once the first is loaded.
 */
export async function backfillDerivedRules(opts: {
  prometheusUrl: string;
  rulesDir: string;
  tsdbDir: string;
  end: Date;
  hours?: number;
  /** Evaluation step (default 5m; a second-pass rule reads the first pass's sample up to one step old). */
  step?: string;
  promtool?: string;
  waitMs?: number;
  /** After each pass's blocks are moved in (a test restarts Prometheus here instead of waiting for the pickup). */
  afterPass?: () => Promise<void>;
}): Promise<{ ok: boolean; message: string }> {
  const groups: Group[] = [];
  for (const f of readdirSync(opts.rulesDir).filter((n) => n.startsWith("slo-") && n.endsWith(".yml")).sort()) {
    const doc = parse(readFileSync(join(opts.rulesDir, f), "utf8")) as { groups?: Group[] };
    for (const g of doc.groups ?? []) {
      if (g.name.endsWith("-sli") || g.name.endsWith("-alerts")) continue;
      groups.push({ ...g, interval: opts.step ?? "5m", rules: g.rules.filter((r) => r.record) });
    }
  }
  if (!groups.length) return { ok: false, message: "no derived SLO rule groups to backfill" };
  const end = Math.floor(opts.end.getTime() / 1000);
  const start = end - Math.round((opts.hours ?? 24) * 3600);
  const waitMs = opts.waitMs ?? 180_000;
  const derived = new Set(groups.flatMap((g) => g.rules.map((r) => r.record as string)));
  const reads = (r: Group["rules"][number]) => [...derived].some((n) => (r as { expr?: string }).expr?.includes(`${n}{`));
  const passes = [
    { rules: groups.map((g) => ({ ...g, rules: g.rules.filter((r) => !reads(r)) })), needs: "count(slo:sli_total:rate5m)" },
    { rules: groups.map((g) => ({ ...g, rules: g.rules.filter(reads) })), needs: "count(slo:sli_error:ratio)" },
  ];
  let blocks = 0;
  for (const [i, pass] of passes.entries()) {
    if (!(await waitForSeries(opts.prometheusUrl, pass.needs, start + 600, waitMs))) return { ok: false, message: `derived rule backfill pass ${i + 1}: ${pass.needs} not loaded after ${waitMs / 1000} s` };
    const r = importBlocks({
      tsdbDir: opts.tsdbDir,
      inputName: `derived-rules-${i + 1}.yml`,
      input: stringify({ groups: pass.rules.filter((g) => g.rules.length > 0) }),
      args: ["rules", "--max-block-duration=720h", "-q", `--url=${opts.prometheusUrl}`, `--start=${start}`, `--end=${end}`],
      outputFlag: true,
      promtool: opts.promtool,
    });
    if (!r.ok) return r;
    blocks += r.blocks;
    await opts.afterPass?.();
  }
  return { ok: true, message: `backfilled the derived rules of ${groups.length} groups over ${opts.hours ?? 24} h into ${blocks} block(s)` };
}
