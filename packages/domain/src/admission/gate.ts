import type { z } from "zod";
import { substituteWindowForValidation } from "../promql/validate";
import { RESERVED_LABELS } from "../rules/reserved";
import type { SloBundle } from "../rules/types";
import { burnWindowsOf, defaultWindowsDropped, periodSeconds } from "../rules/windows";
import { durationToSeconds, secondsToDuration } from "../spec/common";
import { SliSpecSchema, leMatcher, type Matcher, type SliSpec } from "../spec/sli";
import { ErrorBudgetPolicySpecSchema, type ErrorBudgetPolicySpec } from "../spec/policy";
import { ServiceSpecSchema, SloSpecSchema, type ServiceSpec, type SloSpec } from "../spec/slo";
import { goRegexpError, parseGoVersion, type GoVersion } from "./goregexp";
import { checkPromql, rangeDurationSpans } from "./promql";

/**
 * The admission gate: what Burnrate accepts, it deploys. Every entry point (API create/update and
 * so the UI, importers, the generator as its last check) runs a spec through here and gets either
 * the admitted spec (with warnings) or field errors naming what Prometheus, Alertmanager or the
 * generator would refuse. Field paths are dotted, relative to the checked object
 * (`sli.matchers.0.value`, `alerting.windows.1.burnRate`, `labels.team`).
 */

export type FieldIssue = { field: string; message: string };

/** What the target can do; the default is the oldest supported Prometheus (2.42, built with Go 1.19). */
export type AdmissionContext = {
  /** Go version of the target Prometheus (`/api/v1/status/buildinfo` → goVersion), e.g. "go1.21.5". */
  goVersion?: string | GoVersion;
};

export type Admitted<T> = { ok: true; value: T; warnings: FieldIssue[] };
export type Refused = { ok: false; errors: FieldIssue[] };
export type Admission<T> = Admitted<T> | Refused;

/** Prometheus duration syntax (model.ParseDuration): units in descending order, each at most once. */
const PROM_DURATION_RE = /^(?!$)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;
/** Shortest alert window: rates over less than a minute of 15s scrapes are noise. */
const MIN_ALERT_WINDOW_SECONDS = 60;

function goVersionOf(ctx: AdmissionContext): GoVersion | undefined {
  if (ctx.goVersion === undefined) return undefined;
  return typeof ctx.goVersion === "string" ? parseGoVersion(ctx.goVersion) : ctx.goVersion;
}

function join(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  return [prefix, ...path.map(String)].filter((p) => p !== "").join(".");
}

/** zod issues as field issues, first message per field. */
export function zodIssues(error: z.ZodError, prefix = ""): FieldIssue[] {
  const seen = new Set<string>();
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    const field = join(prefix, issue.path) || prefix || "_";
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ field, message: issue.message });
  }
  return out;
}

/** Field issues as the API's `fields` object (`{ "sli.matchers.0.value": "…" }`). */
export function issuesToFields(issues: FieldIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) out[i.field] ??= i.message;
  return out;
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** Every string in a value must be valid UTF-8 once encoded (YAML, PromQL and Go refuse lone surrogates). */
function utf8Issues(value: unknown, prefix: string, out: FieldIssue[]): void {
  if (typeof value === "string") {
    if (hasLoneSurrogate(value)) out.push({ field: prefix || "_", message: "contains invalid Unicode (a lone surrogate)" });
  } else if (Array.isArray(value)) value.forEach((v, i) => utf8Issues(v, join(prefix, [i]), out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (hasLoneSurrogate(k)) out.push({ field: join(prefix, [k]), message: "name contains invalid Unicode (a lone surrogate)" });
      utf8Issues(v, join(prefix, [k]), out);
    }
  }
}

function matcherIssues(matchers: Matcher[], field: string, go: GoVersion | undefined, out: FieldIssue[]): void {
  matchers.forEach((m, i) => {
    // The selector already names the metric; Prometheus refuses a second one.
    if (m.label === "__name__") out.push({ field: `${field}.${i}.label`, message: "the metric is set by the metric field; __name__ cannot be matched here" });
    if (m.op === "=~" || m.op === "!~") {
      const err = goRegexpError(m.value, { goVersion: go });
      if (err) out.push({ field: `${field}.${i}.value`, message: `is not a regular expression Prometheus accepts: ${err.replace(/^error parsing regexp: /, "")}` });
    }
  });
}

/** A free-form query: Prometheus 2.42 parsing, types, and where `{{.window}}` stands. */
function queryIssue(expr: string, needsWindow: boolean, singleSeries: boolean, go: GoVersion | undefined): string | null {
  const text = needsWindow ? substituteWindowForValidation(expr) : expr;
  const problem = checkPromql(text, { goVersion: go, type: "vector", singleSeries });
  if (problem) return `invalid PromQL: ${problem.message}`;
  if (needsWindow) {
    const spans = rangeDurationSpans(text);
    for (const m of expr.matchAll(/\{\{\s*\.window\s*\}\}/g)) {
      const at = m.index ?? 0;
      if (!spans.some((s) => s.from <= at && at + m[0].length <= s.to)) {
        return `{{.window}} must stand for a range, as in rate(metric[{{.window}}]) (found at offset ${at})`;
      }
    }
  }
  return null;
}

/** Checks of an SLI spec beyond its zod shape. `prefix` is prepended to field paths (e.g. "sli"). */
export function sliIssues(spec: SliSpec, ctx: AdmissionContext = {}, prefix = ""): FieldIssue[] {
  const go = goVersionOf(ctx);
  const out: FieldIssue[] = [];
  const at = (f: string) => join(prefix, [f]);
  if ("matchers" in spec) matcherIssues(spec.matchers, at("matchers"), go, out);
  if (spec.kind === "availability") matcherIssues(spec.errorMatchers, at("errorMatchers"), go, out);
  if (spec.kind === "latency") {
    const le = leMatcher(spec.thresholdSeconds);
    if (le.op === "=" && !/^[0-9.e+-]+$/.test(le.value)) out.push({ field: at("thresholdSeconds"), message: "must be a plain number" });
  }
  if (spec.kind === "saturation") {
    const issue = queryIssue(spec.query, false, true, go);
    if (issue) out.push({ field: at("query"), message: issue });
  }
  if (spec.kind === "custom") {
    for (const f of ["errorQuery", "goodQuery", "totalQuery"] as const) {
      const q = spec[f];
      if (!q) continue;
      const issue = queryIssue(q, true, false, go);
      if (issue) out.push({ field: at(f), message: issue });
    }
  }
  return out;
}

/**
 * Checks of an SLO beyond its zod shape: labels, alert windows against each other, the period and
 * the objective. Default workbook tiers that cannot fire at this objective are warnings (the
 * generator drops them); the same in user-set windows is an error.
 */
export function sloIssues(slo: SloSpec, ctx: AdmissionContext = {}): { errors: FieldIssue[]; warnings: FieldIssue[] } {
  const errors: FieldIssue[] = [...sliIssues(slo.sli, ctx, "sli")];
  const warnings: FieldIssue[] = [];
  for (const name of Object.keys(slo.labels)) {
    if (RESERVED_LABELS.has(name)) errors.push({ field: `labels.${name}`, message: `"${name}" is set by Burnrate and cannot be a user label` });
  }
  const budget = Number(((100 - slo.objective) / 100).toPrecision(12));
  const period = periodSeconds(slo);
  const a = slo.alerting;
  if (a.windows && a.windows.length > 0) {
    const seen = new Map<string, number>();
    a.windows.forEach((w, i) => {
      const f = (x: string) => `alerting.windows.${i}.${x}`;
      const bad = (x: string, message: string) => errors.push({ field: f(x), message });
      let ok = true;
      for (const [key, text] of [["longWindow", w.longWindow], ["shortWindow", w.shortWindow], ["for", w.for]] as const) {
        if (!PROM_DURATION_RE.test(text)) {
          bad(key, "must be a Prometheus duration with units from largest to smallest, each once (e.g. 1h30m)");
          ok = false;
        } else if (!Number.isInteger(durationToSeconds(text))) {
          bad(key, "must be a whole number of seconds");
          ok = false;
        }
      }
      if (!ok) return;
      const long = durationToSeconds(w.longWindow);
      const short = durationToSeconds(w.shortWindow);
      const forS = durationToSeconds(w.for);
      if (short < MIN_ALERT_WINDOW_SECONDS) bad("shortWindow", "must be at least 1m");
      if (long < MIN_ALERT_WINDOW_SECONDS) bad("longWindow", "must be at least 1m");
      if (short >= long) bad("shortWindow", `must be shorter than the long window (${w.longWindow})`);
      if (long > period) bad("longWindow", `must not be longer than the SLO period (${secondsToDuration(period)})`);
      if (forS >= long) bad("for", `must be shorter than the long window (${w.longWindow})`);
      // Error ratio threshold = burn rate × budget; above 100% errors it can never be reached.
      if (w.burnRate * budget >= 1) {
        bad("burnRate", `can never fire: ${w.burnRate}× the ${round(budget * 100)}% error budget needs more than 100% errors; use a burn rate below ${round(1 / budget)}`);
      }
      const key = `${w.severity}/${long}/${short}`;
      const prev = seen.get(key);
      if (prev !== undefined) bad("longWindow", `alerting.windows.${prev} already uses ${w.severity} ${w.longWindow}/${w.shortWindow}`);
      else seen.set(key, i);
    });
  } else if (a.enabled) {
    for (const w of defaultWindowsDropped(slo)) {
      warnings.push({
        field: "objective",
        message: `the ${w.severity} alert at ${w.burnRate}× over ${secondsToDuration(w.longSeconds)} can never fire at ${slo.objective}% (it would need more than 100% errors) and is left out`,
      });
    }
  }
  if (errors.length === 0) {
    // What the generator derives from the spec must hold too (defaults scaled to the period).
    const keys = new Set<string>();
    for (const w of burnWindowsOf(slo)) {
      const key = `${w.severity}/${w.longSeconds}/${w.shortSeconds}`;
      if (keys.has(key)) errors.push({ field: "alerting.windows", message: `two ${w.severity} alerts use ${secondsToDuration(w.longSeconds)}/${secondsToDuration(w.shortSeconds)}` });
      keys.add(key);
      if (w.shortSeconds >= w.longSeconds) errors.push({ field: "alerting.windows", message: "every short window must be shorter than its long window" });
    }
  }
  return { errors, warnings };
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}

/** Parses and checks an SLI spec (the `spec` of an SLI resource). */
export function admitSli(input: unknown, ctx: AdmissionContext = {}, prefix = ""): Admission<SliSpec> {
  const pre: FieldIssue[] = [];
  utf8Issues(input, prefix, pre);
  if (pre.length) return { ok: false, errors: pre };
  const parsed = SliSpecSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodIssues(parsed.error, prefix) };
  const errors = sliIssues(parsed.data, ctx, prefix);
  return errors.length ? { ok: false, errors } : { ok: true, value: parsed.data, warnings: [] };
}

/** Parses and checks a full SLO spec (with its SLI). */
export function admitSlo(input: unknown, ctx: AdmissionContext = {}): Admission<SloSpec> {
  const pre: FieldIssue[] = [];
  utf8Issues(input, "", pre);
  if (pre.length) return { ok: false, errors: pre };
  const parsed = SloSpecSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodIssues(parsed.error) };
  const { errors, warnings } = sloIssues(parsed.data, ctx);
  return errors.length ? { ok: false, errors } : { ok: true, value: parsed.data, warnings };
}

/** Parses and checks a service (its labels are copied nowhere reserved, but must be valid). */
export function admitService(input: unknown): Admission<ServiceSpec> {
  const pre: FieldIssue[] = [];
  utf8Issues(input, "", pre);
  if (pre.length) return { ok: false, errors: pre };
  const parsed = ServiceSpecSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodIssues(parsed.error) };
  return { ok: true, value: parsed.data, warnings: [] };
}

export type BundleAdmission = { ok: true; warnings: FieldIssue[] } | { ok: false; errors: FieldIssue[] };

/**
 * The generator's last check, per SLO: the bundle's specs (which may come from rows written by an
 * older version) re-parsed and checked, and the SLO, service and team consistent with each other.
 * Field paths are relative to the SLO (`sli.matchers.0.value`, `service`, `team`).
 */
export function admitSloBundle(bundle: SloBundle, ctx: AdmissionContext = {}): BundleAdmission {
  // Specs are immutable inputs: loading the catalogue and generating from it ask for the same bundle.
  const key = goVersionOf(ctx)?.join(".") ?? "";
  const hit = bundleCache.get(bundle.slo);
  if (hit && hit.service === bundle.service && hit.team === bundle.team && hit.key === key) return hit.result;
  const result = computeBundleAdmission(bundle, ctx);
  bundleCache.set(bundle.slo, { service: bundle.service, team: bundle.team, key, result });
  return result;
}

const bundleCache = new WeakMap<SloSpec, { service: ServiceSpec; team: SloBundle["team"]; key: string; result: BundleAdmission }>();

function computeBundleAdmission(bundle: SloBundle, ctx: AdmissionContext): BundleAdmission {
  // Bundles are typed specs (loadBundles parses stored rows with the zod schemas first), so this
  // runs the checks beyond the schemas without parsing everything again: ~10x cheaper per SLO.
  const errors: FieldIssue[] = [];
  utf8Issues(bundle, "", errors);
  if (errors.length) return { ok: false, errors: errors.map((e) => ({ ...e, field: e.field.replace(/^slo\./, "") })) };
  if (bundle.slo.service !== bundle.service.slug) {
    errors.push({ field: "service", message: `SLO "${bundle.slo.slug}" names service "${bundle.slo.service}" but was bundled with "${bundle.service.slug}"` });
  }
  if (bundle.service.team !== bundle.team.slug) {
    errors.push({ field: "team", message: `service "${bundle.service.slug}" belongs to team "${bundle.service.team}" but was bundled with "${bundle.team.slug}"` });
  }
  const { errors: sloErrors, warnings } = sloIssues(bundle.slo, ctx);
  errors.push(...sloErrors);
  return errors.length ? { ok: false, errors } : { ok: true, warnings };
}

/** Parses and checks an error-budget policy: burn-rate windows are read with PromQL, so they must be Prometheus durations. */
export function admitPolicy(input: unknown): Admission<ErrorBudgetPolicySpec> {
  const pre: FieldIssue[] = [];
  utf8Issues(input, "", pre);
  if (pre.length) return { ok: false, errors: pre };
  const parsed = ErrorBudgetPolicySpecSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodIssues(parsed.error) };
  const errors: FieldIssue[] = [];
  parsed.data.steps.forEach((step, i) => {
    if (step.condition.type !== "burn_rate") return;
    const w = step.condition.window;
    if (!PROM_DURATION_RE.test(w) || !Number.isInteger(durationToSeconds(w)) || durationToSeconds(w) < MIN_ALERT_WINDOW_SECONDS) {
      errors.push({ field: `steps.${i}.condition.window`, message: "must be a Prometheus duration of at least 1m, units from largest to smallest (e.g. 1h, 6h, 3d)" });
    }
  });
  return errors.length ? { ok: false, errors } : { ok: true, value: parsed.data, warnings: [] };
}
