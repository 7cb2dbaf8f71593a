// Backfills the base SLI recording rules (slo:sli_error:rate5m, slo:sli_total:rate5m and the 5m
// ratio/burn) over the demo's 30 days of synthetic history, so every long window and the
// period budget, which are derived from those base series, are right the first time the demo
// opens. Only the base groups need history: the derived windows are computed live from them.
// Uses `promtool tsdb create-blocks-from rules`; blocks are moved into the running Prometheus'
// data dir, which picks them up within about a minute.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";

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
  const work = mkdtempSync(join(tmpdir(), "burnrate-backfill-"));
  try {
    const file = join(work, "base-rules.yml");
    writeFileSync(file, stringify({ groups }));
    const out = join(work, "blocks");
    mkdirSync(out);
    const end = Math.floor(opts.end.getTime() / 1000);
    const start = end - (opts.days ?? 30) * 86400;
    const r = spawnSync(opts.promtool ?? "/usr/bin/promtool", ["tsdb", "create-blocks-from", "rules", "--max-block-duration=720h", "-q", `--url=${opts.prometheusUrl}`, `--start=${start}`, `--end=${end}`, `--output-dir=${out}`, file], { encoding: "utf8", timeout: 600_000 });
    if (r.status !== 0) return { ok: false, message: `promtool failed: ${(r.stderr || r.stdout || String(r.error)).slice(0, 500)}` };
    let moved = 0;
    for (const b of readdirSync(out)) {
      if (!existsSync(join(out, b, "meta.json"))) continue;
      renameSync(join(out, b), join(opts.tsdbDir, b));
      moved++;
    }
    return { ok: true, message: `backfilled ${groups.length} SLI groups into ${moved} block(s)` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
