import { generatedHeader, toYaml } from "../rules/render";
import type { SloBundle } from "../rules/types";
import { alertBurnWindows } from "../rules/windows";
import { secondsToDuration } from "../spec/common";
import { leMatcher, type Matcher, type SliSpec } from "../spec/sli";
import { TierSchema } from "../spec/common";
import { ServiceSpecSchema, SloSpecSchema, type ServiceSpec, type SloSpec, type SloSpecInput } from "../spec/slo";
import { isRecord, str, stringRecord, zodIssues, type ImportIssue, type ImportResult } from "./result";
import { parseYamlDocs, type ParsedYamlDoc } from "./yaml-input";
import { parseSelector, renderSelector, sameMatcher, unwrapSum } from "./selector";

const API = "openslo/v1";

function source(query: string): Record<string, unknown> {
  return { metricSource: { type: "Prometheus", spec: { query } } };
}

function indicator(sli: SliSpec): { spec: Record<string, unknown>; timeslice?: { op: string; value: number } } {
  switch (sli.kind) {
    case "availability":
      return {
        spec: {
          ratioMetric: {
            counter: true,
            bad: source(renderSelector(sli.metric, [...sli.matchers, ...sli.errorMatchers])),
            total: source(renderSelector(sli.metric, sli.matchers)),
          },
        },
      };
    case "latency":
      return {
        spec: {
          ratioMetric: {
            counter: true,
            good: source(renderSelector(`${sli.metric}_bucket`, [...sli.matchers, leMatcher(sli.thresholdSeconds)])),
            total: source(renderSelector(`${sli.metric}_count`, sli.matchers)),
          },
        },
      };
    case "throughput":
      // A slice is good when the counter's per-second rate is at least minPerSecond.
      return { spec: { thresholdMetric: source(renderSelector(sli.metric, sli.matchers)) }, timeslice: { op: "gte", value: sli.minPerSecond } };
    case "saturation":
      return { spec: { thresholdMetric: source(sli.query) }, timeslice: { op: "lte", value: sli.threshold } };
    case "custom":
      // Raw PromQL keeps its {{.window}} placeholder (the Sloth convention); counter: false says so.
      return {
        spec: {
          ratioMetric: {
            counter: false,
            ...(sli.errorQuery ? { bad: source(sli.errorQuery) } : { good: source(sli.goodQuery ?? "") }),
            total: source(sli.totalQuery),
          },
        },
      };
  }
}

function timeWindow(slo: SloSpec): Record<string, unknown> {
  if (slo.window === "calendar-month") {
    return { duration: "1M", isRolling: false, calendar: { startTime: "2020-01-01 00:00:00", timeZone: "UTC" } };
  }
  return { duration: slo.window, isRolling: true };
}

/**
 * OpenSLO v1 documents: one Service per service, one SLO per SLO with an inline indicator, and one
 * AlertPolicy per burn-rate window pair (v1 allows one condition per policy; the short window is
 * kept in the `burnrate.dev/short-window` annotation).
 */
export function exportOpenSlo(bundles: SloBundle[], opts: { version: string }): string {
  const sortedB = [...bundles].sort((a, b) => (a.slo.slug < b.slo.slug ? -1 : a.slo.slug > b.slo.slug ? 1 : 0));
  const services = new Map<string, SloBundle>();
  for (const b of sortedB) if (!services.has(b.service.slug)) services.set(b.service.slug, b);
  const docs: Record<string, unknown>[] = [];
  for (const [slug, b] of [...services.entries()].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))) {
    docs.push({
      apiVersion: API,
      kind: "Service",
      metadata: { name: slug, displayName: b.service.name, labels: { team: b.team.slug, tier: b.service.tier } },
      spec: { description: b.service.description },
    });
  }
  for (const b of sortedB) {
    const slo = b.slo;
    const ind = indicator(slo.sli);
    const windows = slo.alerting.enabled ? alertBurnWindows(slo) : [];
    const policyNames = windows.map((w) => `${slo.slug}-${w.tier}-${secondsToDuration(w.longSeconds)}`);
    const objective: Record<string, unknown> = { displayName: slo.name, target: Number((slo.objective / 100).toPrecision(12)) };
    if (ind.timeslice) {
      objective.op = ind.timeslice.op;
      objective.value = ind.timeslice.value;
      objective.timeSliceTarget = objective.target;
      objective.timeSliceWindow = "5m";
      delete objective.target;
    }
    const spec: Record<string, unknown> = {
      description: slo.description,
      service: b.service.slug,
      indicator: { metadata: { name: `${slo.slug}-sli` }, spec: ind.spec },
      timeWindow: [timeWindow(slo)],
      budgetingMethod: ind.timeslice || slo.budgetingMethod === "timeslices" ? "Timeslices" : "Occurrences",
      objectives: [objective],
    };
    if (policyNames.length > 0) spec.alertPolicies = policyNames;
    const annotations: Record<string, string> = {};
    if (!slo.alerting.enabled) annotations["burnrate.dev/alerting"] = "disabled";
    if (slo.alerting.minEvents > 0) annotations["burnrate.dev/min-events"] = String(slo.alerting.minEvents);
    if (slo.alerting.runbookUrl) annotations["burnrate.dev/runbook-url"] = slo.alerting.runbookUrl;
    const metadata: Record<string, unknown> = { name: slo.slug, displayName: slo.name, labels: { ...slo.labels } };
    if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
    docs.push({ apiVersion: API, kind: "SLO", metadata, spec });
    windows.forEach((w, i) => {
      docs.push({
        apiVersion: API,
        kind: "AlertPolicy",
        metadata: { name: policyNames[i], annotations: { "burnrate.dev/short-window": secondsToDuration(w.shortSeconds) } },
        spec: {
          description: `${w.tier} burn: ${w.budgetConsumed * 100}% of the budget in ${secondsToDuration(w.longSeconds)}`,
          alertWhenBreaching: true,
          alertWhenResolved: true,
          alertWhenNoData: false,
          conditions: [
            {
              kind: "AlertCondition",
              metadata: { name: `${policyNames[i]}-condition` },
              spec: {
                severity: w.severity,
                condition: {
                  kind: "burnrate",
                  op: "gte",
                  threshold: w.burnRate,
                  lookbackWindow: secondsToDuration(w.longSeconds),
                  alertAfter: secondsToDuration(w.forSeconds),
                },
              },
            },
          ],
        },
      });
    });
  }
  return generatedHeader(opts.version) + docs.map((d) => toYaml(d)).join("---\n");
}

export type OpenSloImportOptions = {
  /** Team for Services without a `team` label. */
  defaultTeam?: string;
};

type Doc = { index: number; path: string; body: Record<string, unknown> };

function querySpec(v: unknown): string | undefined {
  if (!isRecord(v)) return undefined;
  const ms = isRecord(v.metricSource) ? v.metricSource : undefined;
  if (!ms || !isRecord(ms.spec)) return undefined;
  return str(ms.spec.query) ?? str(ms.spec.promql);
}

function counterSelector(q: string): { metric: string; matchers: Matcher[] } | null {
  return parseSelector(unwrapSum(q));
}

/** Turns an OpenSLO indicator spec into an SLI; pushes issues on failure. */
function importIndicator(spec: Record<string, unknown>, at: string, objective: Record<string, unknown>, issues: ImportIssue[]): unknown {
  if (isRecord(spec.ratioMetric)) {
    const rm = spec.ratioMetric;
    for (const key of ["good", "bad", "total"] as const) {
      const v = rm[key];
      if (v === undefined) continue;
      const ms = isRecord(v) && isRecord(v.metricSource) ? v.metricSource : undefined;
      const type = ms ? str(ms.type) : undefined;
      if (!type || type.toLowerCase() !== "prometheus") {
        issues.push({ path: `${at}.ratioMetric.${key}.metricSource.type`, message: `only Prometheus metric sources are supported (got ${type ?? "none"})` });
        return undefined;
      }
    }
    const good = querySpec(rm.good);
    const bad = querySpec(rm.bad);
    const total = querySpec(rm.total);
    if (!total) {
      issues.push({ path: `${at}.ratioMetric.total`, message: "a Prometheus total query is required" });
      return undefined;
    }
    if (!good === !bad) {
      issues.push({ path: `${at}.ratioMetric`, message: "give exactly one of good or bad" });
      return undefined;
    }
    if (rm.counter === true) {
      const t = counterSelector(total);
      const e = counterSelector((bad ?? good) as string);
      if (!t || !e) {
        issues.push({ path: `${at}.ratioMetric`, message: "counter queries must be metric selectors such as http_requests_total{code=~\"5..\"}" });
        return undefined;
      }
      const extra = e.matchers.filter((m) => !t.matchers.some((x) => sameMatcher(x, m)));
      const contained = t.matchers.every((m) => e.matchers.some((x) => sameMatcher(x, m)));
      if (bad && e.metric === t.metric && contained && extra.length > 0) {
        return { kind: "availability", metric: t.metric, matchers: t.matchers, errorMatchers: extra };
      }
      const le = extra.length === 1 && extra[0]?.label === "le" ? extra[0] : undefined;
      if (good && le && e.metric.endsWith("_bucket") && t.metric.endsWith("_count") && e.metric.slice(0, -7) === t.metric.slice(0, -6) && contained) {
        const threshold = Number(le.value.replace(/\(\\\.0\)\?$/, ""));
        if (Number.isFinite(threshold) && threshold > 0) return { kind: "latency", metric: t.metric.slice(0, -6), matchers: t.matchers, thresholdSeconds: threshold };
      }
      const rate = (s: { metric: string; matchers: Matcher[] }) => `rate(${renderSelector(s.metric, s.matchers)}[{{.window}}])`;
      return bad ? { kind: "custom", errorQuery: rate(e), totalQuery: rate(t) } : { kind: "custom", goodQuery: rate(e), totalQuery: rate(t) };
    }
    const queries = { good, bad, total };
    for (const [k, q] of Object.entries(queries)) {
      if (q !== undefined && !/\{\{\s*\.window\s*\}\}/.test(q)) {
        issues.push({ path: `${at}.ratioMetric.${k}`, message: "non-counter queries must be rates containing {{.window}} (or set counter: true and give a metric selector)" });
        return undefined;
      }
    }
    return bad ? { kind: "custom", errorQuery: bad, totalQuery: total } : { kind: "custom", goodQuery: good, totalQuery: total };
  }
  if (isRecord(spec.thresholdMetric)) {
    const q = querySpec(spec.thresholdMetric);
    const op = str(objective.op);
    const value = typeof objective.value === "number" ? objective.value : Number(objective.value);
    if (!q || !op || !Number.isFinite(value)) {
      issues.push({ path: `${at}.thresholdMetric`, message: "a Prometheus query and an objective with op and value are required" });
      return undefined;
    }
    if (op === "lt" || op === "lte") return { kind: "saturation", query: q, threshold: value };
    const sel = parseSelector(q);
    if ((op === "gt" || op === "gte") && sel) return { kind: "throughput", metric: sel.metric, matchers: sel.matchers, minPerSecond: value };
    issues.push({ path: `${at}.thresholdMetric`, message: `op ${op} is supported only with a counter selector (throughput)` });
    return undefined;
  }
  issues.push({ path: at, message: "the indicator needs a ratioMetric or thresholdMetric" });
  return undefined;
}

function importWindow(tw: unknown, at: string, issues: ImportIssue[]): SloSpecInput["window"] | undefined {
  const list = Array.isArray(tw) ? tw : [];
  if (list.length !== 1 || !isRecord(list[0])) {
    issues.push({ path: at, message: "exactly one time window is required" });
    return undefined;
  }
  const w = list[0];
  const d = str(w.duration);
  if (w.isRolling === false && d === "1M") return "calendar-month";
  const map: Record<string, SloSpecInput["window"]> = { "7d": "7d", "1w": "7d", "28d": "28d", "4w": "28d", "30d": "30d" };
  const out = d && w.isRolling !== false ? map[d] : undefined;
  if (!out) issues.push({ path: `${at}[0]`, message: `unsupported time window ${d ?? "?"} (rolling 7d, 28d, 30d or a calendar month 1M)` });
  return out;
}

/**
 * Imports OpenSLO v1 YAML (Service, SLI, SLO, AlertPolicy, AlertCondition documents). Counter
 * ratio metrics become availability or latency SLIs when the selectors allow it, custom SLIs
 * otherwise. Every problem is reported with a path; nothing partial is returned.
 */
export function importOpenSlo(text: string | ParsedYamlDoc[], opts: OpenSloImportOptions = {}): ImportResult {
  const issues: ImportIssue[] = [];
  const docs: Doc[] = [];
  (typeof text === "string" ? parseYamlDocs(text) : text).forEach((d) => {
    const index = d.index;
    const path = `documents[${index}]`;
    if (d.error !== undefined) {
      issues.push({ path, message: d.error });
      return;
    }
    const body: unknown = d.body;
    if (body === null || body === undefined) return;
    if (!isRecord(body)) return void issues.push({ path, message: "expected a mapping" });
    if (body.apiVersion !== API) return void issues.push({ path: `${path}.apiVersion`, message: `expected ${API}, got ${String(body.apiVersion)}` });
    docs.push({ index, path, body });
  });
  const byKind = (kind: string) => docs.filter((d) => d.body.kind === kind);
  const named = (kind: string) => new Map(byKind(kind).map((d) => [str(isRecord(d.body.metadata) ? d.body.metadata.name : undefined) ?? "", d]));
  const slis = named("SLI");
  const policies = named("AlertPolicy");
  const conditions = named("AlertCondition");

  const services: ServiceSpec[] = [];
  for (const d of byKind("Service")) {
    const md = isRecord(d.body.metadata) ? d.body.metadata : {};
    const labels = stringRecord(md.labels);
    const team = labels.team ?? opts.defaultTeam;
    if (!team) {
      issues.push({ path: `${d.path}.metadata.labels.team`, message: "a team label (or a default team) is required" });
      continue;
    }
    const tier = TierSchema.safeParse(labels.tier);
    const parsed = ServiceSpecSchema.safeParse({
      slug: str(md.name),
      name: str(md.displayName) ?? str(md.name),
      team,
      ...(tier.success ? { tier: tier.data } : {}),
      description: isRecord(d.body.spec) ? (str(d.body.spec.description) ?? "") : "",
    });
    if (parsed.success) services.push(parsed.data);
    else issues.push(...zodIssues(d.path, parsed.error));
  }
  const serviceSlugs = new Set(services.map((s) => s.slug));

  const slos: SloSpec[] = [];
  for (const d of byKind("SLO")) {
    const md = isRecord(d.body.metadata) ? d.body.metadata : {};
    const spec = isRecord(d.body.spec) ? d.body.spec : {};
    const at = `${d.path}.spec`;
    const before = issues.length;
    const service = str(spec.service);
    if (!service || !serviceSlugs.has(service)) issues.push({ path: `${at}.service`, message: `service "${service ?? ""}" has no Service document` });
    const objectives = Array.isArray(spec.objectives) ? spec.objectives : [];
    const objective = objectives.length === 1 && isRecord(objectives[0]) ? objectives[0] : undefined;
    if (!objective) issues.push({ path: `${at}.objectives`, message: "exactly one objective is supported" });
    const target = objective ? Number(objective.target ?? objective.timeSliceTarget) : NaN;
    if (objective && !(target > 0 && target < 1)) issues.push({ path: `${at}.objectives[0].target`, message: "must be a ratio between 0 and 1, e.g. 0.999" });
    let indSpec: Record<string, unknown> | undefined;
    if (isRecord(spec.indicator)) indSpec = isRecord(spec.indicator.spec) ? spec.indicator.spec : undefined;
    else if (str(spec.indicatorRef)) {
      const ref = slis.get(str(spec.indicatorRef) ?? "");
      if (!ref) issues.push({ path: `${at}.indicatorRef`, message: `SLI "${str(spec.indicatorRef) ?? ""}" is not defined` });
      else indSpec = isRecord(ref.body.spec) ? ref.body.spec : undefined;
    }
    if (!indSpec && issues.length === before) issues.push({ path: `${at}.indicator`, message: "an indicator or indicatorRef is required" });
    const sli = indSpec && objective ? importIndicator(indSpec, `${at}.indicator.spec`, objective, issues) : undefined;
    const window = importWindow(spec.timeWindow, `${at}.timeWindow`, issues);

    const windows: unknown[] = [];
    const policyRefs = Array.isArray(spec.alertPolicies) ? spec.alertPolicies : [];
    policyRefs.forEach((ref, i) => {
      const p = typeof ref === "string" ? policies.get(ref)?.body : isRecord(ref) ? ref : undefined;
      const pat = `${at}.alertPolicies[${i}]`;
      if (!p) return void issues.push({ path: pat, message: `AlertPolicy "${String(ref)}" is not defined` });
      const pmd = isRecord(p.metadata) ? p.metadata : {};
      const pspec = isRecord(p.spec) ? p.spec : {};
      const conds = Array.isArray(pspec.conditions) ? pspec.conditions : [];
      const c0 = conds[0];
      const cdoc = isRecord(c0) && isRecord(c0.spec) ? c0 : isRecord(c0) && str(c0.conditionRef) ? conditions.get(str(c0.conditionRef) ?? "")?.body : undefined;
      const cspec = cdoc && isRecord(cdoc.spec) ? cdoc.spec : undefined;
      const cond = cspec && isRecord(cspec.condition) ? cspec.condition : undefined;
      if (!cspec || !cond || cond.kind !== "burnrate") return void issues.push({ path: `${pat}.conditions[0]`, message: "a burnrate condition is required" });
      const sev = str(cspec.severity)?.toLowerCase();
      const severity = sev === "page" || sev === "critical" ? "page" : "ticket";
      const long = str(cond.lookbackWindow);
      const ann = stringRecord(pmd.annotations);
      const longS = long ? long : "1h";
      windows.push({
        severity,
        longWindow: longS,
        shortWindow: ann["burnrate.dev/short-window"] ?? shortOf(longS),
        burnRate: Number(cond.threshold),
        for: str(cond.alertAfter) ?? "2m",
      });
    });

    if (issues.length > before) continue;
    const ann = stringRecord(md.annotations);
    const input: SloSpecInput = {
      slug: str(md.name) ?? "",
      name: str(md.displayName) ?? str(md.name) ?? "",
      description: str(spec.description) ?? "",
      service: service ?? "",
      sli: sli as SloSpecInput["sli"],
      objective: Number((target * 100).toPrecision(10)),
      window,
      budgetingMethod: str(spec.budgetingMethod) === "Timeslices" ? "timeslices" : "occurrences",
      labels: stringRecord(md.labels),
      alerting: {
        enabled: ann["burnrate.dev/alerting"] !== "disabled",
        minEvents: ann["burnrate.dev/min-events"] ? Number(ann["burnrate.dev/min-events"]) : 0,
        ...(ann["burnrate.dev/runbook-url"] ? { runbookUrl: ann["burnrate.dev/runbook-url"] } : {}),
        ...(windows.length > 0 ? { windows: windows as never } : {}),
      },
    };
    const parsed = SloSpecSchema.safeParse(input);
    if (parsed.success) slos.push(parsed.data);
    else issues.push(...zodIssues(d.path, parsed.error));
  }
  if (byKind("SLO").length === 0 && issues.length === 0) issues.push({ path: "documents", message: "no SLO documents found" });
  if (issues.length > 0) return { ok: false, errors: issues };
  return { ok: true, slos, services };
}

/** Workbook convention: the short window is 1/12 of the long window (at least 5m). */
function shortOf(long: string): string {
  const m = /^(\d+)(m|h|d)$/.exec(long);
  if (!m) return "5m";
  const s = Number(m[1]) * ({ m: 60, h: 3600, d: 86400 } as const)[m[2] as "m" | "h" | "d"];
  return secondsToDuration(Math.max(300, Math.round(s / 12 / 60) * 60));
}
