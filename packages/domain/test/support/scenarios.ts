import { stringify } from "yaml";
import { alertBurnWindows, errorBudgetRatio, promqlString, secondsToDuration, sloLabels, sloPeriodWindow, type BurnWindow, type SloBundle } from "../../src/index";
import type { GoldenCase } from "./cases";

/**
 * `promtool test rules` scenarios, written to testdata/<case>/rules.test.yaml. Input series replay
 * synthetic traffic at 1-minute resolution; assertions say exactly which burn-rate alerts fire and
 * when. Times below are derived in the comments from the windows: a long window of W at burn b
 * against threshold t crosses after about W·t/b (plus ~2.5m smear of the 5m base rate), then `for`.
 */

/** A stretch of constant per-minute increments of a counter. */
type Segment = { perMin: number; minutes: number };

const fmt = (x: number) => String(Number(x.toFixed(6)));

/** Counter values at 1m resolution in promtool's expanding notation, starting at 0 at t=0. */
export function counter(segments: Segment[]): string {
  const parts: string[] = [];
  let value = 0;
  segments.forEach((s, i) => {
    if (i === 0) {
      parts.push(`0+${fmt(s.perMin)}x${s.minutes}`);
      value = s.perMin * s.minutes;
    } else {
      value += s.perMin;
      parts.push(`${fmt(value)}+${fmt(s.perMin)}x${s.minutes - 1}`);
      value += s.perMin * (s.minutes - 1);
    }
  });
  return parts.join(" ");
}

function series(metric: string, labels: Record<string, string>, values: string) {
  const l = Object.entries(labels).map(([k, v]) => `${k}=${promqlString(v)}`);
  return { series: `${metric}{${l.join(",")}}`, values };
}

/** Labels of the ALERTS series of a burn-rate alert (identity + user labels, rendered). */
function burnAlertLabels(b: SloBundle, w: BurnWindow): Record<string, string> {
  return {
    ...sloLabels(b),
    alertname: "SLOErrorBudgetBurn",
    severity: w.severity,
    burn_tier: w.tier,
    long_window: secondsToDuration(w.longSeconds),
    short_window: secondsToDuration(w.shortSeconds),
  };
}

function alertsSample(labels: Record<string, string>) {
  const all: Record<string, string> = { ...labels, alertstate: "firing" };
  const s = Object.keys(all)
    .sort()
    .map((k) => `${k}=${promqlString(all[k] ?? "")}`);
  return { labels: `ALERTS{${s.join(",")}}`, value: 1 };
}

function tier(b: SloBundle, t: BurnWindow["tier"]): BurnWindow {
  const w = alertBurnWindows(b.slo).find((x) => x.tier === t);
  if (!w) throw new Error(`${b.slo.slug} has no ${t} window`);
  return w;
}

/** promql_expr_test: exactly these burn-rate alerts are firing at `at`. */
function firing(at: string, alerts: Array<[SloBundle, BurnWindow["tier"]]>, filter = "") {
  return {
    expr: `ALERTS{alertname="SLOErrorBudgetBurn",alertstate="firing"${filter}}`,
    eval_time: at,
    exp_samples: alerts.map(([b, t]) => alertsSample(burnAlertLabels(b, tier(b, t)))),
  };
}

/** The annotations Prometheus should render for a burn alert, built from the raw user text. */
function renderedBurnAnnotations(b: SloBundle, w: BurnWindow, value: string, grafanaUrl?: string): Record<string, string> {
  const slo = b.slo;
  const long = secondsToDuration(w.longSeconds);
  const short = secondsToDuration(w.shortSeconds);
  const budget = errorBudgetRatio(slo.objective);
  const period = sloPeriodWindow(slo);
  const consumed = fmt(((w.burnRate * w.longSeconds) / (periodSecondsOf(slo.window))) * 100);
  const out: Record<string, string> = {
    summary: `SLO "${slo.name}" of service "${b.service.name}" burns its error budget faster than ${fmt(w.burnRate)}x (${long}/${short} windows)`,
    description:
      `The error ratio over both the last ${long} and the last ${short} is above ${fmt(w.burnRate)}x the error budget ` +
      `(${fmt(budget * 100)}% of events over ${period}). At this rate ${consumed}% of the budget is spent every ${long} ` +
      `and the whole budget in ${secondsToDuration(Math.round(periodSecondsOf(slo.window) / w.burnRate))}. Current ${long} burn rate: ${value}x.` +
      (slo.description ? `\n\n${slo.description}` : ""),
  };
  const runbook = slo.alerting.runbookUrl || b.service.runbookUrl;
  if (runbook) out.runbook_url = runbook;
  if (grafanaUrl) out.dashboard = `${grafanaUrl.replace(/\/+$/, "")}/d/slo-${slo.slug}`;
  return out;
}

function periodSecondsOf(window: string): number {
  return window === "7d" ? 7 * 86400 : window === "28d" ? 28 * 86400 : 30 * 86400;
}

function exactBurnAlert(c: GoldenCase, b: SloBundle, t: BurnWindow["tier"], at: string, value: string) {
  const w = tier(b, t);
  const labels: Record<string, string> = { ...burnAlertLabels(b, w) };
  delete labels.alertname;
  return {
    eval_time: at,
    alertname: "SLOErrorBudgetBurn",
    exp_alerts: [{ exp_labels: labels, exp_annotations: renderedBurnAnnotations(b, w, value, c.options.grafanaUrl) }],
  };
}

function requests(labels: Record<string, string>, ok: Segment[], errors: Segment[]) {
  return [series("http_requests_total", { ...labels, code: "200" }, counter(ok)), series("http_requests_total", { ...labels, code: "500" }, counter(errors))];
}

/** Traffic of `perMin` requests with an error share per stretch: [share, minutes]. */
function traffic(labels: Record<string, string>, perMin: number, stretches: Array<[number, number]>) {
  return requests(
    labels,
    stretches.map(([share, minutes]) => ({ perMin: perMin * (1 - share), minutes })),
    stretches.map(([share, minutes]) => ({ perMin: perMin * share, minutes })),
  );
}

/**
 * promtool evaluates every rule at every evaluation step from 0 to the last eval_time, so
 * multi-day scenarios go to a separate file evaluated every 5m (the same assertions hold at 1m).
 */
function doc(tests: unknown[], evaluationInterval = "1m"): string {
  return (
    "# Generated by packages/domain/test/support/scenarios.ts; refresh with UPDATE_GOLDEN=1.\n" +
    stringify({ rule_files: ["rules.yaml"], evaluation_interval: evaluationInterval, tests }, { lineWidth: 0 })
  );
}

const H = 60;
const D = 24 * H;

/** Unit-test files of a case by file name (`rules.test.yaml`, `rules.slow.test.yaml`). */
export function scenarioFor(c: GoldenCase): Record<string, string> {
  const [b, b2, b3] = c.bundles;
  if (!b) return {};
  switch (c.name) {
    case "availability-30d": {
      const lbl = { job: "demo", service: "checkout" };
      const base = 7 * H; // 7h of 0.05% errors (0.5x) so every window up to 6h has history
      return {
        "rules.test.yaml": doc([
        {
          name: "100% errors page (fast burn) within 8 minutes, medium page after its 15m for",
          interval: "1m",
          input_series: traffic(lbl, 1000, [[0.0005, base], [1, 30]]),
          promql_expr_test: [
            firing(`${base}m`, []),
            // 1h window crosses 14.4x after ~3 samples of the 5m rate; +2m for, +1 evaluation lag.
            firing(`${base + 8}m`, [[b, "fast"]]),
            firing(`${base + 25}m`, [[b, "fast"], [b, "medium"]]),
          ],
        },
        {
          name: "2% errors (20x) page via the 1h/5m pair after ~45 minutes, not before",
          interval: "1m",
          input_series: traffic(lbl, 1000, [[0.0005, base], [0.02, 130]]),
          promql_expr_test: [
            // 1h ratio > 1.44% after (0.864-0.03)/0.0195 = 42.8 min of 2% errors (+smear, +for 2m).
            firing(`${base + 40}m`, []),
            firing(`${base + 55}m`, [[b, "fast"]]),
            // 6h ratio > 0.6% after (2.16-0.18)/0.0195 = 101.5 min, then for 15m.
            // The 1d/2h ticket fires too: with 9h of history the 1d ratio passes 3x after ~62 min, then for 1h.
            firing(`${base + 130}m`, [[b, "fast"], [b, "medium"], [b, "slow"]]),
          ],
        },
        {
          name: "Full outage from the start renders exact labels and annotations",
          interval: "1m",
          input_series: traffic(lbl, 1000, [[1, 20]]),
          alert_rule_test: [
            exactBurnAlert(c, b, "fast", "10m", "1000.00"),
            { eval_time: "10m", alertname: "SLOErrorBudgetExhausted", exp_alerts: [] },
            { eval_time: "10m", alertname: "SLOMetricAbsent", exp_alerts: [] },
          ],
        },
        ]),
        "rules.slow.test.yaml": doc(
          [
        {
          name: "Slow burn at 2x opens a ticket (3d/6h pair) and never pages",
          interval: "1m",
          input_series: traffic(lbl, 1000, [[0.0005, D], [0.002, D + 12 * H]]),
          promql_expr_test: [
            // 3d window (1d of history at 0.5x, then 2x) passes 1x after 12h of 2x, then for 3h.
            firing(`${D + 10 * H}m`, []),
            firing(`${D + 18 * H}m`, [[b, "long"]]),
            firing(`${2 * D + 12 * H}m`, [[b, "long"]]),
          ],
        },
        {
          name: "Burn rate 0.9 never alerts, over more than the 3d window",
          interval: "1m",
          input_series: traffic(lbl, 1000, [[0.0009, 3 * D + 6 * H]]),
          promql_expr_test: [6 * H, D, 2 * D, 3 * D + 6 * H].map((t) => ({ expr: "ALERTS", eval_time: `${t}m`, exp_samples: [] })),
        },
          ],
          "5m",
        ),
      };
    }
    case "latency-28d": {
      const l = { job: "demo", service: "search" };
      const perMin = 1000;
      const input = [
        series("http_request_duration_seconds_bucket", { ...l, le: "0.3" }, counter([{ perMin: perMin * 0.9, minutes: 4 * H }])),
        series("http_request_duration_seconds_count", l, counter([{ perMin, minutes: 4 * H }])),
      ];
      return { "rules.test.yaml": doc([
        {
          name: "10% slow requests (10x at 99%) page via the 6x pair only; 14.4x never fires",
          interval: "1m",
          input_series: input,
          promql_expr_test: [
            firing("40m", [[b, "medium"]]),
            // Tickets follow after their for (56m and 2h48m at 28d).
            firing("3h30m", [[b, "medium"], [b, "slow"], [b, "long"]]),
          ],
        },
      ]) };
    }
    case "availability-7d": {
      const l = { job: "demo", service: "auth" };
      return { "rules.test.yaml": doc([
        {
          name: "7d period: full outage pages via the scaled 14m/5m pair",
          interval: "1m",
          input_series: traffic(l, 600, [[1, 30]]),
          // Both pairs are pending from the first evaluation with two samples (1m); fast fires after
          // its scaled for of 1m, medium after 4m (15m × 7/30, rounded); the 14m for of the slow
          // ticket has not passed at 12m.
          promql_expr_test: [firing("1m", []), firing("3m", [[b, "fast"]]), firing("12m", [[b, "fast"], [b, "medium"]])],
          alert_rule_test: [exactBurnAlert(c, b, "fast", "3m", "200.00")],
        },
      ]) };
    }
    case "custom-min-events": {
      if (!b2 || !b3) return {};
      const q = { queue: "payments" };
      // One job every 10 minutes, all failing: 6 events per hour, 432 in 3 days (< minEvents 1000).
      const input = [
        series("jobs_processed_total", q, counter([{ perMin: 0.1, minutes: 6 * H }])),
        series("jobs_failed_total", q, counter([{ perMin: 0.1, minutes: 6 * H }])),
      ];
      const byslug = (s: string) => c.bundles.find((x) => x.slo.slug === s) as SloBundle;
      return { "rules.test.yaml": doc([
        {
          name: "Low traffic below minEvents never alerts; the same SLI without the guard pages",
          interval: "1m",
          input_series: input,
          promql_expr_test: [
            firing("30m", [
              [byslug("batch-good"), "fast"],
              [byslug("batch-good"), "medium"],
              [byslug("batch-unguarded"), "fast"],
              [byslug("batch-unguarded"), "medium"],
            ]),
            { expr: 'ALERTS{alertname="SLOErrorBudgetBurn",slo="batch-guarded"}', eval_time: "6h", exp_samples: [] },
            { expr: 'ALERTS{slo="batch-guarded"}', eval_time: "6h", exp_samples: [] },
          ],
        },
      ]) };
    }
    case "hostile-text": {
      const sel = { path: '/api/"quoted"/v1', service: "evil\\svc" };
      return { "rules.test.yaml": doc([
        {
          name: "Hostile names render literally in labels and annotations",
          interval: "1m",
          input_series: traffic(sel, 100, [[1, 20]]),
          alert_rule_test: [exactBurnAlert(c, b, "fast", "10m", "1000.00")],
        },
      ]) };
    }
    default:
      return {};
  }
}
