import { escapeGoTemplate, promqlString } from "../promql/escape";
import { secondsToDuration } from "../spec/common";
import { sliQueries } from "../spec/sli";
import { infrastructureRuleSet } from "./infrastructure";
import { RULE_NAMES } from "./names";
import { extendLabels } from "./emit";
import { renderRuleFile } from "./render";
import {
  DEFAULT_INTERVALS,
  SloGenerationError,
  type AlertingRule,
  type GenerationOptions,
  type RecordingRule,
  type Rule,
  type RuleFile,
  type RuleGroup,
  type RuleGroupSet,
  type RuleIntervals,
  type SloBundle,
} from "./types";
import { BASE_WINDOW_SECONDS, alertBurnWindows, periodSeconds, sloPeriodWindow, recordedWindows, round6, type BurnWindow } from "./windows";


/** Windows longer than this go to the slow (`-long`) group. */
const WINDOWS_GROUP_MAX_SECONDS = 6 * 3600;

/** Label names the generator sets itself; user labels may not use them. */
export const RESERVED_LABELS: ReadonlySet<string> = new Set([
  "slo",
  "service",
  "team",
  "tier",
  "slo_window",
  "slo_period",
  "severity",
  "burn_tier",
  "long_window",
  "short_window",
  "alertname",
  "alertstate",
  "name",
  "objective",
]);

/** Objective as a ratio (99.9 → 0.999) without binary float noise. */
export function objectiveRatio(objectivePercent: number): number {
  return Number((objectivePercent / 100).toPrecision(12));
}

/** Error budget as a ratio (99.9 → 0.001) without binary float noise. */
export function errorBudgetRatio(objectivePercent: number): number {
  return Number(((100 - objectivePercent) / 100).toPrecision(12));
}

/** Rule file name of an SLO; derived only from the slug so alert state survives reloads. */
export function sloRuleFilePath(slug: string): string {
  return `slo-${slug}.yml`;
}


function sortRecord(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k] ?? "";
  return out;
}


/** Identity labels (slo, service, team, tier) plus the SLO's user labels, sorted by name. */
export function sloLabels(b: SloBundle): Record<string, string> {
  return sortRecord({ ...b.slo.labels, slo: b.slo.slug, service: b.service.slug, team: b.team.slug, tier: b.service.tier });
}

/** Checks cross-references and label collisions; throws SloGenerationError with the offending path. */
export function validateBundles(bundles: SloBundle[]): void {
  const seen = new Map<string, number>();
  bundles.forEach((b, i) => {
    const at = `slos[${i}]`;
    const prev = seen.get(b.slo.slug);
    if (prev !== undefined) throw new SloGenerationError(`${at}.slug`, `duplicate SLO slug "${b.slo.slug}" (also slos[${prev}])`);
    seen.set(b.slo.slug, i);
    if (b.slo.service !== b.service.slug) {
      throw new SloGenerationError(`${at}.service`, `SLO "${b.slo.slug}" names service "${b.slo.service}" but was bundled with "${b.service.slug}"`);
    }
    if (b.service.team !== b.team.slug) {
      throw new SloGenerationError(`${at}.team`, `service "${b.service.slug}" belongs to team "${b.service.team}" but was bundled with "${b.team.slug}"`);
    }
    for (const name of Object.keys(b.slo.labels)) {
      if (RESERVED_LABELS.has(name)) throw new SloGenerationError(`${at}.labels.${name}`, `"${name}" is set by Burnrate and cannot be a user label`);
    }
    const keys = new Set<string>();
    for (const w of alertBurnWindows(b.slo)) {
      const key = `${w.severity}/${w.longSeconds}/${w.shortSeconds}`;
      if (keys.has(key)) throw new SloGenerationError(`${at}.alerting.windows`, `two ${w.severity} alerts use the same windows ${secondsToDuration(w.longSeconds)}/${secondsToDuration(w.shortSeconds)}`);
      keys.add(key);
      if (w.shortSeconds > w.longSeconds) throw new SloGenerationError(`${at}.alerting.windows`, "the short window must not be longer than the long window");
    }
  });
}

function num(x: number): string {
  return String(round6(x) === x ? x : Number(x.toPrecision(12)));
}

class SloRules {
  private readonly slug: string;
  private readonly labels: Record<string, string>;
  private readonly budget: number;
  private readonly budgetText: string;
  private readonly period: number;
  constructor(
    private readonly b: SloBundle,
    private readonly opts: GenerationOptions,
    private readonly iv: RuleIntervals,
  ) {
    this.slug = b.slo.slug;
    this.labels = sloLabels(b);
    this.budget = errorBudgetRatio(b.slo.objective);
    this.budgetText = num(this.budget);
    this.period = periodSeconds(b.slo);
  }

  private sloMatcher = "";

  private sel(metric: string, extra: Record<string, string> = {}): string {
    if (this.sloMatcher === "") this.sloMatcher = `slo=${promqlString(this.slug)}`;
    let m = this.sloMatcher;
    for (const k in extra) m += `,${k}=${promqlString(extra[k] as string)}`;
    return `${metric}{${m}}`;
  }

  private readonly windowLabelCache = new Map<string, Record<string, string>>();
  private escapedLabels: Record<string, string> | null = null;

  /** Recording rules of one SLO share label objects (the emitter memoises their rendering). */
  private rec(record: string, expr: string, labels: Record<string, string> = this.labels): RecordingRule {
    return { record, expr, labels };
  }

  private windowLabels(w: string): Record<string, string> {
    let l = this.windowLabelCache.get(w);
    if (!l) {
      l = extendLabels(this.labels, [["slo_window", w]]);
      this.windowLabelCache.set(w, l);
    }
    return l;
  }

  /** Mean of the base total rate over W times W: events seen in W (spacing-independent). */
  private eventsExpr(seconds: number): string {
    const w = secondsToDuration(seconds);
    const tot = this.sel(RULE_NAMES.totalRate5m);
    return `sum by (slo) (sum_over_time(${tot}[${w}])) / sum by (slo) (count_over_time(${tot}[${w}])) * ${seconds}`;
  }

  /** Traffic-weighted error ratio over W, derived from the recorded 5m base rates. */
  private ratioExpr(seconds: number): string {
    if (seconds === BASE_WINDOW_SECONDS) {
      return `sum by (slo) (${this.sel(RULE_NAMES.errorRate5m)}) / sum by (slo) (${this.sel(RULE_NAMES.totalRate5m)})`;
    }
    if (seconds < BASE_WINDOW_SECONDS) {
      // Shorter than the base window: cannot be derived, use the raw SLI queries.
      const q = sliQueries(this.b.slo.sli, secondsToDuration(seconds));
      return `(${this.zeroFilled(q.errors)}) / (${q.total})`;
    }
    const w = secondsToDuration(seconds);
    return `sum by (slo) (sum_over_time(${this.sel(RULE_NAMES.errorRate5m)}[${w}])) / sum by (slo) (sum_over_time(${this.sel(RULE_NAMES.totalRate5m)}[${w}]))`;
  }

  /**
   * Error series of request-based SLIs often do not exist until the first error; a missing error
   * rate means zero errors, not "no data". Latency SLIs derive errors from total - good and keep
   * missing data missing (e.g. a threshold that matches no bucket), so the no-data alert sees it.
   */
  private zeroFilled(errors: string): string {
    const sli = this.b.slo.sli;
    const fill = sli.kind === "availability" || sli.kind === "saturation" || (sli.kind === "custom" && !!sli.errorQuery);
    return fill ? `${errors} or vector(0)` : errors;
  }

  private windowRules(seconds: number): Rule[] {
    const w = secondsToDuration(seconds);
    return [
      this.rec(RULE_NAMES.errorRatio, this.ratioExpr(seconds), this.windowLabels(w)),
      this.rec(RULE_NAMES.burnRate, `${this.sel(RULE_NAMES.errorRatio, { slo_window: w })} / ${this.budgetText}`, this.windowLabels(w)),
    ];
  }

  groups(): RuleGroup[] {
    const slo = this.b.slo;
    const base = sliQueries(slo.sli, "5m");
    const windows = recordedWindows(slo);
    const periodLabel = sloPeriodWindow(slo);

    const sli: Rule[] = [
      this.rec(RULE_NAMES.errorRate5m, this.zeroFilled(base.errors)),
      this.rec(RULE_NAMES.totalRate5m, base.total),
      ...windows.filter((s) => s <= BASE_WINDOW_SECONDS).flatMap((s) => this.windowRules(s)),
    ];
    const mid = windows.filter((s) => s > BASE_WINDOW_SECONDS && s <= WINDOWS_GROUP_MAX_SECONDS).flatMap((s) => this.windowRules(s));
    const long: Rule[] = [
      ...windows.filter((s) => s > WINDOWS_GROUP_MAX_SECONDS).flatMap((s) => this.windowRules(s)),
      this.rec(RULE_NAMES.objective, `vector(${num(objectiveRatio(slo.objective))})`),
      this.rec(RULE_NAMES.errorBudget, `vector(${num(this.budget)})`),
      this.rec(RULE_NAMES.periodSeconds, `vector(${this.period})`),
      this.rec(
        RULE_NAMES.budgetRemaining,
        `1 - sum by (slo) (${this.sel(RULE_NAMES.errorRatio, { slo_window: periodLabel })}) / ${num(this.budget)}`,
      ),
      this.rec(RULE_NAMES.totalPeriod, this.eventsExpr(this.period)),
      this.rec(RULE_NAMES.info, "vector(1)", sortRecord({ ...this.labels, name: slo.name, objective: String(slo.objective), slo_period: slo.window })),
    ];

    const groups: RuleGroup[] = [
      { name: `slo-${this.slug}-sli`, interval: this.iv.sli, rules: sli },
      { name: `slo-${this.slug}-windows`, interval: this.iv.windows, rules: mid },
      { name: `slo-${this.slug}-long`, interval: this.iv.long, rules: long },
    ].filter((g) => g.rules.length > 0);
    const alerts = this.alerts();
    if (alerts.length > 0) groups.push({ name: `slo-${this.slug}-alerts`, interval: this.iv.alerts, rules: alerts });
    return groups;
  }

  /** Alert labels: identity and user labels (escaped: alert labels are templates) plus extras. */
  private alertLabels(extra: Record<string, string>): Record<string, string> {
    if (!this.escapedLabels) {
      this.escapedLabels = {};
      for (const [k, v] of Object.entries(this.labels)) this.escapedLabels[k] = escapeGoTemplate(v);
    }
    return extendLabels(this.escapedLabels, Object.entries(extra));
  }

  private links(): Record<string, string> {
    const out: Record<string, string> = {};
    const runbook = this.b.slo.alerting.runbookUrl || this.b.service.runbookUrl;
    if (runbook) out.runbook_url = escapeGoTemplate(runbook);
    if (this.opts.grafanaUrl) out.dashboard = escapeGoTemplate(`${this.opts.grafanaUrl.replace(/\/+$/, "")}/d/slo-${this.slug}`);
    return out;
  }

  private describeTail(): string {
    const d = this.b.slo.description;
    return d ? `\n\n${escapeGoTemplate(d)}` : "";
  }

  private burnAlert(w: BurnWindow): AlertingRule {
    const slo = this.b.slo;
    const long = secondsToDuration(w.longSeconds);
    const short = secondsToDuration(w.shortSeconds);
    const burn = num(w.burnRate);
    const cond = (win: string) => `max by (slo) (${this.sel(RULE_NAMES.burnRate, { slo_window: win })}) > ${burn}`;
    let expr = `(${cond(long)}) and on (slo) (${cond(short)})`;
    if (slo.alerting.minEvents > 0) {
      expr += ` and on (slo) (${this.eventsExpr(w.longSeconds)} >= ${slo.alerting.minEvents})`;
    }
    const name = escapeGoTemplate(slo.name);
    const service = escapeGoTemplate(this.b.service.name);
    const budgetPct = num(this.budget * 100);
    const consumedPct = num(((w.burnRate * w.longSeconds) / this.period) * 100);
    const exhaustion = secondsToDuration(Math.round(this.period / w.burnRate));
    const guard = slo.alerting.minEvents > 0 ? ` The ${long} window saw at least ${slo.alerting.minEvents} events.` : "";
    return {
      alert: RULE_NAMES.burnAlert,
      expr,
      for: secondsToDuration(w.forSeconds),
      labels: this.alertLabels({ severity: w.severity, burn_tier: w.tier, long_window: long, short_window: short }),
      annotations: sortRecord({
        summary: `SLO "${name}" of service "${service}" burns its error budget faster than ${burn}x (${long}/${short} windows)`,
        description:
          `The error ratio over both the last ${long} and the last ${short} is above ${burn}x the error budget ` +
          `(${budgetPct}% of events over ${sloPeriodWindow(slo)}). At this rate ${consumedPct}% of the budget is spent every ${long} ` +
          `and the whole budget in ${exhaustion}.${guard} Current ${long} burn rate: {{ $value | printf "%.2f" }}x.` +
          this.describeTail(),
        ...this.links(),
      }),
    };
  }

  private alerts(): AlertingRule[] {
    const slo = this.b.slo;
    if (!slo.alerting.enabled) return [];
    const out: AlertingRule[] = alertBurnWindows(slo).map((w) => this.burnAlert(w));
    const name = escapeGoTemplate(slo.name);
    const periodLabel = sloPeriodWindow(slo);
    if (this.opts.budgetExhaustedAlerts ?? true) {
      out.push({
        alert: RULE_NAMES.exhaustedAlert,
        expr:
          `max by (slo) (${this.sel(RULE_NAMES.budgetRemaining)}) <= 0` +
          // Low-traffic guard: the period must (at the current traffic level) hold minEvents events.
          (slo.alerting.minEvents > 0 ? ` and on (slo) (max by (slo) (${this.sel(RULE_NAMES.totalPeriod)}) >= ${slo.alerting.minEvents})` : ""),
        for: "15m",
        labels: this.alertLabels({ severity: "ticket" }),
        annotations: sortRecord({
          summary: `SLO "${name}" has exhausted its error budget`,
          description:
            `The error ratio over the last ${periodLabel} exceeds the error budget of ${num(this.budget * 100)}%; ` +
            `remaining budget: {{ $value | humanizePercentage }}. Apply the error-budget policy.` +
            this.describeTail(),
          ...this.links(),
        }),
      });
    }
    const absent = this.absentExpr();
    if ((this.opts.noDataAlerts ?? true) && absent) {
      out.push({
        alert: RULE_NAMES.absentAlert,
        expr: absent,
        for: "10m",
        labels: this.alertLabels({ severity: "ticket" }),
        annotations: sortRecord({
          summary: `SLO "${name}" has no SLI data`,
          description:
            `The SLI queries of SLO "${name}" have returned no data for 10m, so its burn-rate alerts cannot fire. ` +
            `Check that the metrics are scraped and the selectors match.` +
            this.describeTail(),
          ...this.links(),
        }),
      });
    }
    return out;
  }

  private absentExpr(): string | null {
    const sli = this.b.slo.sli;
    switch (sli.kind) {
      case "throughput":
        return null; // missing traffic already counts as bad slices
      case "saturation":
        return `absent(${sli.query})`;
      default:
        return `absent(${this.sel(RULE_NAMES.totalRate5m)}) or absent(${this.sel(RULE_NAMES.errorRate5m)})`;
    }
  }
}

function intervals(opts: GenerationOptions): RuleIntervals {
  return { ...DEFAULT_INTERVALS, ...opts.intervals };
}

/** Rule groups of one SLO (sli, windows, long and alerts groups), without validation. */
export function sloRuleGroups(bundle: SloBundle, opts: GenerationOptions): RuleGroup[] {
  return new SloRules(bundle, opts, intervals(opts)).groups();
}

/**
 * Structured rule groups for every SLO (one set per SLO, sorted by slug) plus the infrastructure
 * set, for rule files, PrometheusRule objects and Mimir ruler namespaces.
 */
export function generateRuleGroups(bundles: SloBundle[], opts: GenerationOptions): RuleGroupSet[] {
  validateBundles(bundles);
  const iv = intervals(opts);
  const sets: RuleGroupSet[] = [...bundles]
    .sort((a, b) => (a.slo.slug < b.slo.slug ? -1 : a.slo.slug > b.slo.slug ? 1 : 0))
    .map((b) => ({
      path: sloRuleFilePath(b.slo.slug),
      slo: b.slo.slug,
      team: b.team.slug,
      service: b.service.slug,
      groups: new SloRules(b, opts, iv).groups(),
    }));
  if (opts.infrastructure?.enabled ?? true) sets.push(infrastructureRuleSet(opts, iv));
  return sets;
}

/** Prometheus rule files: `slo-<slug>.yml` per SLO and `burnrate-infrastructure.yml`, sorted by path. */
export function generateRuleFiles(bundles: SloBundle[], opts: GenerationOptions): RuleFile[] {
  validateBundles(bundles);
  const iv = intervals(opts);
  // Render each SLO right away so only the text stays alive (10k SLOs are ~140 MB of YAML).
  const files: RuleFile[] = bundles.map((b) => ({
    path: sloRuleFilePath(b.slo.slug),
    content: renderRuleFile(new SloRules(b, opts, iv).groups(), opts.version),
  }));
  if (opts.infrastructure?.enabled ?? true) {
    const infra = infrastructureRuleSet(opts, iv);
    files.push({ path: infra.path, content: renderRuleFile(infra.groups, opts.version) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
