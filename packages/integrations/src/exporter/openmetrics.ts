import { toMs, type Timestamp } from "@burnrate/domain";
import { escapeLabelValue, formatLabels, formatValue } from "./exposition";
import { DoraAccumulator, type DoraExporterOptions, type DoraRows, type MetricFamily } from "./series";

export const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

function omHelp(v: string): string {
  return escapeLabelValue(v);
}

/** OpenMetrics family name: counters drop the `_total` suffix their samples carry. */
function omFamilyName(f: MetricFamily): string {
  return f.type === "counter" ? f.name.replace(/_total$/, "") : f.name;
}

/** Groups histogram samples of one family by their label set without `le`. */
function seriesIdentity(f: MetricFamily, labels: Array<[string, string]>): string {
  return formatLabels(f.type === "histogram" ? labels.filter(([k]) => k !== "le") : labels);
}

/**
 * OpenMetrics text with the same series as `doraSeriesAt`, sampled every `stepSeconds` from `from`
 * to `to` (inclusive grid `from + k·step`), for `promtool tsdb create-blocks-from openmetrics
 * --max-block-duration=720h`. Queries evaluated on this grid equal `computeDora` (see doraPromql).
 * Use a step that divides a day (e.g. 3600) so deploy-day queries have samples at UTC midnights
 * when `from` is a midnight.
 */
export function renderOpenMetricsHistory(rows: DoraRows, from: Timestamp, to: Timestamp, stepSeconds: number, opts: DoraExporterOptions = {}): string {
  const start = toMs(from);
  const end = toMs(to);
  if (!(stepSeconds > 0)) throw new Error("stepSeconds must be positive");
  if (end < start) throw new Error("`to` must not be before `from`");
  const stepMs = stepSeconds * 1000;

  // family name → series identity → timestamp-ordered points, each point = the lines at that time
  const families = new Map<string, { family: MetricFamily; series: Map<string, string[]> }>();
  const acc = new DoraAccumulator(rows, opts);
  for (let t = start; t <= end; t += stepMs) {
    acc.advanceTo(t);
    const ts = formatValue(t / 1000);
    for (const f of acc.snapshot()) {
      let fam = families.get(f.name);
      if (!fam) families.set(f.name, (fam = { family: f, series: new Map() }));
      for (const s of f.samples) {
        const id = seriesIdentity(f, s.labels);
        let lines = fam.series.get(id);
        if (!lines) fam.series.set(id, (lines = []));
        lines.push(`${s.name}${formatLabels(s.labels)} ${formatValue(s.value)} ${ts}`);
      }
    }
  }
  const out: string[] = [];
  for (const { family, series } of families.values()) {
    const name = omFamilyName(family);
    out.push(`# TYPE ${name} ${family.type}`);
    out.push(`# HELP ${name} ${omHelp(family.help)}`);
    for (const lines of series.values()) out.push(...lines);
  }
  out.push("# EOF");
  return out.join("\n") + "\n";
}
