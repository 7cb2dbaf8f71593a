import { parser } from "@prometheus-io/lezer-promql";
import type { Dashboard, Panel } from "./model";

/**
 * Helpers to check generated dashboards: list every PromQL expression (panel targets, annotation
 * queries), replace Grafana's template variables with sample values so the text parses, and list
 * the metric names an expression reads.
 */

export type DashboardExpr = { where: string; expr: string };

export function dashboardExpressions(dashboard: Dashboard): DashboardExpr[] {
  const out: DashboardExpr[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) out.push({ where: `panel ${p.id} "${p.title}" ${t.refId}`, expr: t.expr });
      if (p.panels) walk(p.panels);
    }
  };
  walk(dashboard.panels);
  for (const a of dashboard.annotations.list) if (a.expr) out.push({ where: `annotation "${a.name}"`, expr: a.expr });
  for (const v of dashboard.templating.list) {
    const q = typeof v.query === "string" ? v.query : v.query.query;
    const m = /^label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$/.exec(q);
    if (m?.[1]) out.push({ where: `variable ${v.name}`, expr: m[1] });
  }
  return out;
}

const SAMPLE_VALUES: Array<[RegExp, string]> = [
  [/\$__rate_interval|\$\{__rate_interval\}/g, "5m"],
  [/\$__range_s|\$\{__range_s\}/g, "86400"],
  [/\$__range_ms|\$\{__range_ms\}/g, "86400000"],
  [/\$__range|\$\{__range\}/g, "1d"],
  [/\$__interval_ms|\$\{__interval_ms\}/g, "60000"],
  [/\$__interval|\$\{__interval\}/g, "1m"],
  [/\$\{[a-zA-Z_][a-zA-Z0-9_]*(:[a-z]+)?\}/g, "sample"],
  [/\$[a-zA-Z_][a-zA-Z0-9_]*/g, "sample"],
];

/** Replaces Grafana variables ($__range, $__rate_interval, $service, ${team}, ...) with sample values. */
export function substituteGrafanaVariables(expr: string): string {
  let out = expr;
  for (const [re, value] of SAMPLE_VALUES) out = out.replace(re, value);
  return out;
}

/** Metric names read by an expression (vector selectors), e.g. ["slo:burn_rate"]. */
export function metricNamesInExpr(expr: string): string[] {
  const names = new Set<string>();
  const tree = parser.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector") names.add(expr.slice(node.from, node.to));
      return undefined;
    },
  });
  return [...names].sort();
}
