// Backfills the base SLI recording rules (slo:sli_error:rate5m, slo:sli_total:rate5m and the 5m
// ratio/burn) over the demo's 30 days of synthetic history, so every long window and the
// period budget, which are derived from those base series, are right the first time the demo
// opens. Only the base groups need history: the derived windows are computed live from them.
// Uses `promtool tsdb create-blocks-from rules`; blocks are moved into the running Prometheus'
// data dir, which picks them up within about a minute.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
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
  return { ok: true, message: `backfilled ${groups.length} SLI groups into ${r.blocks} block(s)` };
}
