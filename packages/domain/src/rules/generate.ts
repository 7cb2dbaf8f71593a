import { admitSloBundle, type AdmissionContext } from "../admission/gate";
import { escapeGoTemplate, promqlString } from "../promql/escape";
import { secondsToDuration } from "../spec/common";
import { sliQueries } from "../spec/sli";
import { infrastructureRuleSet } from "./infrastructure";
import { metaRuleSet } from "./meta";
import { RULE_NAMES } from "./names";
import { isPlainScalar, LABEL_INDENT, labelLine, yamlScalar, yamlScalarOnce } from "./emit";
import { generatedHeader, renderRuleFile } from "./render";
import {
  DEFAULT_INTERVALS,
  SloGenerationError,
  type GenerationOptions,
  type Rule,
  type RuleFile,
  type RuleGroup,
  type RuleGroupSet,
  type RuleIntervals,
  type SloBundle,
} from "./types";
import { BASE_WINDOW_SECONDS, burnWindowsOf, FULL_PERIOD_COVERAGE, gridSeconds, periodSeconds, recordedWindowsOf, round6, type BurnWindow } from "./windows";


/** Windows longer than this go to the slow (`-long`) group. */
const WINDOWS_GROUP_MAX_SECONDS = 6 * 3600;

export { RESERVED_LABELS } from "./reserved";

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

/**
 * The generator's last check: duplicate slugs across the catalogue, then the admission gate per
 * SLO (`admitSloBundle`); throws SloGenerationError with the offending path (`slos[2].labels.team`).
 */
export function validateBundles(bundles: SloBundle[], ctx: AdmissionContext = {}): void {
  const seen = new Map<string, number>();
  bundles.forEach((b, i) => {
    const at = `slos[${i}]`;
    const prev = seen.get(b.slo.slug);
    if (prev !== undefined) throw new SloGenerationError(`${at}.slug`, `duplicate SLO slug "${b.slo.slug}" (also slos[${prev}])`);
    seen.set(b.slo.slug, i);
    const admitted = admitSloBundle(b, ctx);
    if (!admitted.ok) {
      const first = admitted.errors[0];
      throw new SloGenerationError(`${at}.${first?.field ?? "slug"}`, first?.message ?? "refused by the admission gate");
    }
  });
}

function num(x: number): string {
  return String(round6(x) === x ? x : Number(x.toPrecision(12)));
}

// ---------------------------------------------------------------------------------------------
// Generation. `SloEmitter` renders one SLO either straight to YAML text (`TextSink`, for
// generateRuleFiles) or to RuleGroup objects (`GroupSink`, for generateRuleGroups); the text is
// exactly what renderRuleFile(groups) writes for the objects.
//
// The text path is built for 10k SLOs (~140 MB): files are pre-rendered chunks, joined in large
// batches (see TextSink). Everything that repeats is rendered once — per SLO: the label block (window labels are a
// shared prefix + the `slo_window` line + a shared suffix, alert labels shared chunks around the
// extra labels) and the fixed parts of every expression; per window, objective or burn window:
// window, number and alert texts; annotation lines that do not depend on the SLO are shared
// between SLOs. Expressions that differ only in window or number texts (characters [0-9A-Za-z.+-],
// never ':', '#' or ' ', placed inside a fixed text that starts with a letter or '(' and ends with
// ')') are plain or quoted YAML independently of those texts, so the YAML check runs once per SLO
// and expression family instead of once per rule.
// ---------------------------------------------------------------------------------------------

/** escapeGoTemplate without the regex pass for text that has no `{{`/`}}` (nearly all). */
function escTemplate(v: string): string {
  return v.includes("{{") || v.includes("}}") ? escapeGoTemplate(v) : v;
}

/** promqlString without the replace passes for text that needs no escaping (slugs). */
function promqlQuote(v: string): string {
  return /[\\"\n]/.test(v) ? promqlString(v) : `"${v}"`;
}

const durations = new Map<number, string>();
/** secondsToDuration, memoised (a handful of distinct windows). */
function dur(seconds: number): string {
  let d = durations.get(seconds);
  if (d === undefined) {
    d = secondsToDuration(seconds);
    if (durations.size < 4096) durations.set(seconds, d);
  }
  return d;
}

const ranges = new Map<number, string>();
/** Subquery range of a derived window, `<W>:<grid>` (see gridSeconds). */
function gridRange(seconds: number): string {
  let r = ranges.get(seconds);
  if (r === undefined) {
    r = flat(`${dur(seconds)}:${dur(gridSeconds(seconds))}`);
    if (ranges.size < 4096) ranges.set(seconds, r);
  }
  return r;
}

type WindowText = { quoted: string; line: string };
const windowTexts = new Map<string, WindowText>();
/** A window as a PromQL string literal and as the rendered `slo_window` label line. */
function windowText(w: string): WindowText {
  let t = windowTexts.get(w);
  if (t === undefined) {
    t = { quoted: flat(promqlString(w)), line: flat(labelLine("slo_window", w)) };
    if (windowTexts.size < 4096) windowTexts.set(w, t);
  }
  return t;
}

type ObjectiveText = {
  objective: string;
  budgetText: string;
  budgetPct: string;
  /** Text mode: `vector(<objective ratio>)` and `vector(<budget>)` as YAML scalars, the `objective` label line of slo:info. */
  objectiveExpr: string;
  budgetExpr: string;
  objectiveLine: string;
};
const objectiveTexts = new Map<number, ObjectiveText>();
function objectiveText(objective: number): ObjectiveText {
  let t = objectiveTexts.get(objective);
  if (t === undefined) {
    const budget = errorBudgetRatio(objective);
    const objectiveText = num(objectiveRatio(objective));
    const budgetText = num(budget);
    t = {
      objective: objectiveText,
      budgetText,
      budgetPct: num(budget * 100),
      objectiveExpr: flat(yamlScalar(`vector(${objectiveText})`)),
      budgetExpr: flat(yamlScalar(`vector(${budgetText})`)),
      objectiveLine: flat(labelLine("objective", String(objective))),
    };
    if (objectiveTexts.size < 4096) objectiveTexts.set(objective, t);
  }
  return t;
}

/** Texts of one burn window. Windows are memoised per period (or per SLO), so these are too. */
type WindowAlertText = {
  period: number;
  long: string;
  short: string;
  burn: string;
  forDur: string;
  consumedPct: string;
  exhaustion: string;
  /** Extra alert labels sorted by name, and their rendered lines. */
  extras: Array<[string, string]>;
  extraLines: string[];
  // Chunks of the text path.
  qLong: string;
  qShort: string;
  /** `}) > <burn>` */
  gtBurn: string;
  /** `for:` line. */
  forLine: string;
  /** `<burn>x (<long>/<short> windows)` + newline: the end of a plain summary line. */
  summaryTail: string;
  /** Descriptions and their rendered lines by `budgetPct|minEvents` (SLOs without a description). */
  descriptions: Map<string, string>;
  descriptionLines: Map<string, string>;
};
const windowAlertTexts = new WeakMap<BurnWindow, WindowAlertText>();
function windowAlertText(w: BurnWindow, period: number): WindowAlertText {
  let t = windowAlertTexts.get(w);
  if (t === undefined || t.period !== period) {
    const long = dur(w.longSeconds);
    const short = dur(w.shortSeconds);
    const burn = num(w.burnRate);
    const forDur = dur(w.forSeconds);
    const extras: Array<[string, string]> = [
      ["burn_tier", w.tier],
      ["long_window", long],
      ["severity", w.severity],
      ["short_window", short],
    ];
    t = {
      period,
      long,
      short,
      burn,
      forDur,
      consumedPct: num(((w.burnRate * w.longSeconds) / period) * 100),
      exhaustion: dur(Math.round(period / w.burnRate)),
      extras,
      extraLines: extras.map(([k, v]) => flat(labelLine(k, v))),
      qLong: windowText(long).quoted,
      qShort: windowText(short).quoted,
      gtBurn: flat(`}) > ${burn}`),
      forLine: forLine(forDur),
      summaryTail: flat(`${burn}x (${long}/${short} windows)\n`),
      descriptions: new Map(),
      descriptionLines: new Map(),
    };
    windowAlertTexts.set(w, t);
  }
  return t;
}

const periodTexts = new Map<string, { expr: string; line: string }>();
/** Text mode: `vector(<period seconds>)` as a YAML scalar and the `slo_period` label line, per SLO window. */
function periodText(window: string, seconds: number): { expr: string; line: string } {
  let t = periodTexts.get(window);
  if (t === undefined) {
    t = { expr: flat(yamlScalar(`vector(${seconds})`)), line: flat(labelLine("slo_period", window)) };
    if (periodTexts.size < 64) periodTexts.set(window, t);
  }
  return t;
}

const alertPrefixes = new Map<string, string>();
/** `- alert: <name>` line and the start of the `expr:` line. */
function alertPrefix(alert: string): string {
  let p = alertPrefixes.get(alert);
  if (p === undefined) {
    p = flat(`      - alert: ${yamlScalar(alert)}\n        expr: `);
    if (alertPrefixes.size < 64) alertPrefixes.set(alert, p);
  }
  return p;
}

const forLines = new Map<string, string>();
function forLine(forDur: string): string {
  let l = forLines.get(forDur);
  if (l === undefined) {
    l = flat(`        for: ${yamlScalar(forDur)}\n`);
    if (forLines.size < 1024) forLines.set(forDur, l);
  }
  return l;
}

/** A `key: value` line for a value that occurs once (not memoised). */
function lineOnce(k: string, v: string): string {
  return `${LABEL_INDENT}${yamlScalar(k)}: ${yamlScalarOnce(v)}\n`;
}

const BURN_EXTRA_KEYS = ["burn_tier", "long_window", "severity", "short_window"];
const TICKET_EXTRAS: Array<[string, string]> = [["severity", "ticket"]];
const TICKET_KEYS = ["severity"];
let ticketLine: string | undefined;

/** Exhausted-budget descriptions and their lines by `period|budgetPct` (SLOs without a description). */
const exhaustedDescriptions = new Map<string, string>();
const exhaustedDescriptionLines = new Map<string, string>();

/** Per-call settings shared by every SLO. */
type Ctx = {
  iv: RuleIntervals;
  /** Text mode: `interval:` lines (with the `rules:` key) of the sli, windows, long and alerts groups. */
  ivLines: { sli: string; windows: string; long: string; alerts: string };
  /** `<grafanaUrl>/d/slo-` without trailing slashes of the URL, or null. */
  dashboardBase: string | null;
  exhaustedAlerts: boolean;
  noDataAlerts: boolean;
};

function intervals(opts: GenerationOptions): RuleIntervals {
  return { ...DEFAULT_INTERVALS, ...opts.intervals };
}

function context(opts: GenerationOptions): Ctx {
  const iv = intervals(opts);
  const ivLine = (interval: string) => flat(`\n    interval: ${yamlScalar(interval)}\n    rules:\n`);
  return {
    iv,
    ivLines: { sli: ivLine(iv.sli), windows: ivLine(iv.windows), long: ivLine(iv.long), alerts: ivLine(iv.alerts) },
    dashboardBase: opts.grafanaUrl ? `${opts.grafanaUrl.replace(/\/+$/, "")}/d/slo-` : null,
    exhaustedAlerts: opts.budgetExhaustedAlerts ?? true,
    noDataAlerts: opts.noDataAlerts ?? true,
  };
}

const recordPrefixes = new Map<string, string>();
/** `- record: <name>` line and the start of the `expr:` line. */
function recordPrefix(record: string): string {
  let p = recordPrefixes.get(record);
  if (p === undefined) {
    p = flat(`      - record: ${yamlScalar(record)}\n        expr: `);
    if (recordPrefixes.size < 1024) recordPrefixes.set(record, p);
  }
  return p;
}

const LABELS_KEY = "\n        labels:\n";

/**
 * V8 keeps concatenated strings as ropes, and Array.prototype.join walks a rope again on every
 * use (measured: joining reused ropes is ~3x slower than joining flat strings). Converting to a
 * number flattens a rope in place, once; chunks that are reused are flattened when created.
 */
function flat(s: string): string {
  Number(s);
  return s;
}

/**
 * Rule files as chunks of YAML (the same text as emitRuleGroups), written back to back by index
 * (`n`) into one chunk array that is reused (stale entries past the end are blanked before a
 * join, so it is not regrown). Files are joined in batches of BATCH_CHARS and each file's content
 * is a slice of its batch string: joining every ~14 kB file on its own put all 140 MB of output
 * through the young generation, copied by scavenges until promoted (measured: GC ~4x longer);
 * batch strings are large objects, which V8 promotes without copying.
 */
class TextSink {
  readonly parts: string[] = [];
  /** Number of chunks of the current file. */
  n = 0;
  /** Chunks of the previous file (entries up to here are blanked when this file is shorter). */
  private used = 0;
  private pending: string | null = null;
  private groups = 0;
  constructor(private readonly header: string) {}

  /** Start of the current file in `parts`. */
  private start = 0;
  /** Characters of the finished files of the current batch. */
  private batchChars = 0;
  private readonly batch: Array<{ file: RuleFile; from: number; to: number }> = [];

  /** Drops the current file's chunks (its SLO failed half-way; the batch keeps only finished files). */
  abort(): void {
    this.n = this.start;
    this.pending = null;
    this.groups = 0;
  }
  begin(): void {
    this.start = this.n;
    this.parts[this.n++] = this.header;
    this.parts[this.n++] = "groups:\n";
    this.pending = null;
    this.groups = 0;
  }
  add(s: string): void {
    this.parts[this.n++] = s;
  }
  /** Starts a group; `intervalLine` from Ctx.ivLines. */
  group(name: string, intervalLine: string): void {
    this.pending = `  - name: ${yamlScalarOnce(name)}${intervalLine}`;
  }
  /** Writes the pending group header; call before a rule (groups without rules are left out). */
  open(): void {
    if (this.pending !== null) {
      this.add(this.pending);
      this.pending = null;
      this.groups++;
    }
  }
  rec(record: string, expr: string, labelsBlock: string): void {
    this.recScalar(record, yamlScalar(expr), labelsBlock);
  }
  /** A recording rule whose expression is already a YAML scalar. */
  recScalar(record: string, exprScalar: string, labelsBlock: string): void {
    this.open();
    this.add(recordPrefix(record));
    this.add(exprScalar);
    if (labelsBlock === "") this.add("\n");
    else {
      this.add(LABELS_KEY);
      this.add(labelsBlock);
    }
  }
  alert(name: string, expr: string, forDur: string, labelsBlock: string, annotationsBlock: string): void {
    this.open();
    this.add(alertPrefix(name));
    this.add(yamlScalar(expr));
    this.add("\n");
    if (forDur) this.add(forLine(forDur));
    if (labelsBlock !== "") {
      this.add("        labels:\n");
      this.add(labelsBlock);
    }
    if (annotationsBlock !== "") {
      this.add("        annotations:\n");
      this.add(annotationsBlock);
    }
  }
  /** Ends the current file; its content is set when its batch is joined (at the latest by flush()). */
  end(file: RuleFile): void {
    const p = this.parts;
    if (this.groups === 0) p[this.start + 1] = "groups: []\n";
    let chars = 0;
    for (let i = this.start; i < this.n; i++) chars += (p[i] as string).length;
    this.batch.push({ file, from: this.batchChars, to: this.batchChars + chars });
    this.batchChars += chars;
    if (this.batchChars >= BATCH_CHARS) this.flush();
  }
  flush(): void {
    const p = this.parts;
    for (let i = this.n; i < this.used; i++) p[i] = "";
    this.used = this.n;
    const text = p.join("");
    for (const f of this.batch) f.file.content = text.slice(f.from, f.to);
    this.batch.length = 0;
    this.batchChars = 0;
    this.n = 0;
  }
}

/** Characters per joined batch of files: large objects for V8 (above 128 kB), not copied by scavenges. */
const BATCH_CHARS = 1 << 19;

/** RuleGroup objects; groups without rules are left out. */
class GroupSink {
  readonly groups: RuleGroup[] = [];
  private pending: RuleGroup | null = null;
  private current: Rule[] = [];
  group(name: string, interval: string): void {
    this.pending = { name, interval, rules: [] };
  }
  private open(): void {
    if (this.pending !== null) {
      this.groups.push(this.pending);
      this.current = this.pending.rules;
      this.pending = null;
    }
  }
  rec(record: string, expr: string, labels: Record<string, string>): void {
    this.open();
    this.current.push({ record, expr, labels });
  }
  alert(alert: string, expr: string, forDur: string, labels: Record<string, string>, annotations: Record<string, string>): void {
    this.open();
    this.current.push({ alert, expr, for: forDur, labels, annotations });
  }
}

/**
 * Object mode: a label map with sorted extra labels added the way the generator always has (extras
 * override equal names): each extra goes before the first following key that sorts after it.
 */
function mergedObject(keys: readonly string[], values: readonly string[], add: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const o: Record<string, string> = {};
  let i = 0;
  for (let j = 0; j < keys.length; j++) {
    const k = keys[j] as string;
    for (; i < add.length && (add[i] as readonly [string, string])[0] < k; i++) {
      const e = add[i] as readonly [string, string];
      o[e[0]] = e[1];
    }
    if (i < add.length && (add[i] as readonly [string, string])[0] === k) continue;
    o[k] = values[j] as string;
  }
  for (; i < add.length; i++) {
    const e = add[i] as readonly [string, string];
    o[e[0]] = e[1];
  }
  return o;
}

/**
 * Text mode: the rendered label lines of `keys` with extra labels (names sorted) merged in the
 * same order as mergedObject, as the chunks between the extras:
 * block = chunks[0] + extra₀ + chunks[1] + … + chunks[n].
 */
function chunksAround(keys: readonly string[], lines: readonly string[], addKeys: readonly string[]): string[] {
  const chunks: string[] = [];
  let cur = "";
  let i = 0;
  for (let j = 0; j < keys.length; j++) {
    const k = keys[j] as string;
    while (i < addKeys.length && (addKeys[i] as string) < k) {
      chunks.push(flat(cur));
      cur = "";
      i++;
    }
    if (i < addKeys.length && addKeys[i] === k) continue;
    cur += lines[j] as string;
  }
  for (; i < addKeys.length; i++) {
    chunks.push(flat(cur));
    cur = "";
  }
  chunks.push(flat(cur));
  return chunks;
}

const INFO_EXTRA_KEYS = ["name", "objective", "slo_period"];

class SloEmitter {
  private readonly slo: SloBundle["slo"];
  private readonly slug: string;
  private readonly period: number;
  private readonly periodLabel: string;
  private readonly ot: ObjectiveText;
  /** Identity and user labels, sorted (object mode: shared by the SLO's base rules). */
  private readonly labels: Record<string, string>;
  private readonly keys: string[] = [];
  private readonly values: string[] = [];
  private readonly sloMatcher: string;
  private readonly selErr: string;
  private readonly selTot: string;

  // Text mode: rendered label lines and chunks.
  private readonly lines: string[] = [];
  private baseBlock = "";
  private windowPost = "";
  private ratioPlain = false;
  private readonly ratioPre: string;
  private readonly ratioMid: string;
  private readonly burnPre: string;
  private readonly burnPost: string;
  private ratioHead = "";
  private ratioTail = "";
  private labelsHead = "";
  private burnHead = "";
  private burnPlain = false;
  private burnTail = "";


  constructor(
    private readonly b: SloBundle,
    private readonly ctx: Ctx,
    private readonly t: TextSink | null,
    private readonly g: GroupSink | null,
  ) {
    this.slo = b.slo;
    this.slug = b.slo.slug;
    this.period = periodSeconds(b.slo);
    this.periodLabel = dur(this.period);
    this.ot = objectiveText(b.slo.objective);
    this.labels = sloLabels(b);
    for (const k in this.labels) {
      this.keys.push(k);
      this.values.push(this.labels[k] as string);
    }
    this.sloMatcher = `slo=${promqlQuote(this.slug)}`;
    this.selErr = `${RULE_NAMES.errorRate5m}{${this.sloMatcher}}`;
    this.selTot = `${RULE_NAMES.totalRate5m}{${this.sloMatcher}}`;
    // Window rules: ratio = ratioPre + W:g + ratioMid + W:g + "]))" (windows above 5m), burn = burnPre + "w" + burnPost.
    this.ratioPre = flat(`sum by (slo) (sum_over_time(${this.selErr}[`);
    this.ratioMid = flat(`])) / sum by (slo) (sum_over_time(${this.selTot}[`);
    this.burnPre = flat(`${RULE_NAMES.errorRatio}{${this.sloMatcher},slo_window=`);
    this.burnPost = flat(`} / ${this.ot.budgetText}`);
    if (t) {
      for (let i = 0; i < this.keys.length; i++) this.lines.push(labelLine(this.keys[i] as string, this.values[i] as string));
      this.baseBlock = flat(this.lines.join(""));
      const [pre, post] = chunksAround(this.keys, this.lines, ["slo_window"]) as [string, string];
      this.windowPost = flat(post);
      this.labelsHead = flat(LABELS_KEY + pre);
      this.ratioPlain = isPlainScalar(`${this.ratioPre}30m:1m${this.ratioMid}30m:1m]))`);
      this.ratioHead = flat(recordPrefix(RULE_NAMES.errorRatio) + this.ratioPre);
      this.ratioTail = flat("]))" + this.labelsHead);
      this.burnHead = flat(post + recordPrefix(RULE_NAMES.burnRate));
      this.burnPlain = isPlainScalar(`${this.burnPre}"5m"${this.burnPost}`);
      this.burnTail = flat(this.burnPost + this.labelsHead);
    }
  }

  private sel(metric: string, window: string): string {
    return `${metric}{${this.sloMatcher},slo_window=${windowText(window).quoted}}`;
  }

  /**
   * Events counted in W: the 5m base total rate summed on W's time grid times the grid step, so
   * the count does not depend on how densely the base samples were written (see gridSeconds).
   * Counts only the part of W that holds data (a new SLO counts minutes, not a guess for W).
   */
  private eventsExpr(seconds: number): string {
    return `sum by (slo) (sum_over_time(${this.selTot}[${gridRange(seconds)}])) * ${gridSeconds(seconds)}`;
  }

  /** Seconds of W that hold base data: grid points with a sample times the grid step. */
  private coverageExpr(seconds: number): string {
    return `max by (slo) (count_over_time(${this.selTot}[${gridRange(seconds)}])) * ${gridSeconds(seconds)}`;
  }

  /**
   * Error series of request-based SLIs often do not exist until the first error; a missing error
   * rate means zero errors, not "no data". Latency SLIs derive errors from total - good and keep
   * missing data missing (e.g. a threshold that matches no bucket), so the no-data alert sees it.
   */
  private zeroFilled(errors: string): string {
    const sli = this.slo.sli;
    const fill = sli.kind === "availability" || sli.kind === "saturation" || (sli.kind === "custom" && !!sli.errorQuery);
    return fill ? `${errors} or vector(0)` : errors;
  }

  /** Traffic-weighted error ratio over W, derived from the recorded 5m base rates. */
  private ratioExpr(seconds: number, w: string): string {
    if (seconds === BASE_WINDOW_SECONDS) return `sum by (slo) (${this.selErr}) / sum by (slo) (${this.selTot})`;
    if (seconds < BASE_WINDOW_SECONDS) {
      // Shorter than the base window: cannot be derived, use the raw SLI queries.
      const q = sliQueries(this.slo.sli, w);
      return `(${this.zeroFilled(q.errors)}) / (${q.total})`;
    }
    const r = gridRange(seconds);
    return `${this.ratioPre}${r}${this.ratioMid}${r}]))`;
  }

  private baseRule(record: string, expr: string): void {
    if (this.t) this.t.rec(record, expr, this.baseBlock);
    else (this.g as GroupSink).rec(record, expr, this.labels);
  }

  /** `slo:sli_error:ratio` and `slo:burn_rate` of one window. */
  private windowRules(seconds: number): void {
    const w = dur(seconds);
    const t = this.t;
    if (t === null) {
      const labels = mergedObject(this.keys, this.values, [["slo_window", w]]);
      const g = this.g as GroupSink;
      g.rec(RULE_NAMES.errorRatio, this.ratioExpr(seconds, w), labels);
      g.rec(RULE_NAMES.burnRate, this.burnPre + windowText(w).quoted + this.burnPost, labels);
      return;
    }
    const wt = windowText(w);
    t.open();
    const p = t.parts;
    let n = t.n;
    if (seconds > BASE_WINDOW_SECONDS && this.ratioPlain) {
      const r = gridRange(seconds);
      p[n++] = this.ratioHead;
      p[n++] = r;
      p[n++] = this.ratioMid;
      p[n++] = r;
      p[n++] = this.ratioTail;
    } else {
      p[n++] = recordPrefix(RULE_NAMES.errorRatio);
      p[n++] = yamlScalar(this.ratioExpr(seconds, w));
      p[n++] = this.labelsHead;
    }
    p[n++] = wt.line;
    p[n++] = this.burnHead;
    if (this.burnPlain) {
      p[n++] = this.burnPre;
      p[n++] = wt.quoted;
      p[n++] = this.burnTail;
    } else {
      p[n++] = yamlScalar(this.burnPre + wt.quoted + this.burnPost);
      p[n++] = this.labelsHead;
    }
    p[n++] = wt.line;
    p[n++] = this.windowPost;
    t.n = n;
  }

  emit(): void {
    const slo = this.slo;
    const iv = this.ctx.iv;
    const base = sliQueries(slo.sli, "5m");
    const windows = recordedWindowsOf(slo);

    const text = this.t;
    const ivl = this.ctx.ivLines;
    if (text) text.group(`slo-${this.slug}-sli`, ivl.sli);
    else this.g?.group(`slo-${this.slug}-sli`, iv.sli);
    this.baseRule(RULE_NAMES.errorRate5m, this.zeroFilled(base.errors));
    this.baseRule(RULE_NAMES.totalRate5m, base.total);
    let i = 0;
    for (; i < windows.length && (windows[i] as number) <= BASE_WINDOW_SECONDS; i++) this.windowRules(windows[i] as number);
    if (text) text.group(`slo-${this.slug}-windows`, ivl.windows);
    else this.g?.group(`slo-${this.slug}-windows`, iv.windows);
    for (; i < windows.length && (windows[i] as number) <= WINDOWS_GROUP_MAX_SECONDS; i++) this.windowRules(windows[i] as number);
    if (text) text.group(`slo-${this.slug}-long`, ivl.long);
    else this.g?.group(`slo-${this.slug}-long`, iv.long);
    for (; i < windows.length; i++) this.windowRules(windows[i] as number);
    const budgetRemaining = `1 - sum by (slo) (${this.sel(RULE_NAMES.errorRatio, this.periodLabel)}) / ${this.ot.budgetText}`;
    if (text) {
      const pt = periodText(slo.window, this.period);
      text.recScalar(RULE_NAMES.objective, this.ot.objectiveExpr, this.baseBlock);
      text.recScalar(RULE_NAMES.errorBudget, this.ot.budgetExpr, this.baseBlock);
      text.recScalar(RULE_NAMES.periodSeconds, pt.expr, this.baseBlock);
      text.recScalar(RULE_NAMES.budgetRemaining, yamlScalarOnce(budgetRemaining), this.baseBlock);
      text.recScalar(RULE_NAMES.totalPeriod, yamlScalarOnce(this.eventsExpr(this.period)), this.baseBlock);
      text.recScalar(RULE_NAMES.coveragePeriod, yamlScalarOnce(this.coverageExpr(this.period)), this.baseBlock);
      const c = chunksAround(this.keys, this.lines, INFO_EXTRA_KEYS);
      const info = `${c[0]}${lineOnce("name", slo.name)}${c[1]}${this.ot.objectiveLine}${c[2]}${pt.line}${c[3]}`;
      text.recScalar(RULE_NAMES.info, yamlScalar("vector(1)"), info);
    } else {
      const g = this.g as GroupSink;
      g.rec(RULE_NAMES.objective, `vector(${this.ot.objective})`, this.labels);
      g.rec(RULE_NAMES.errorBudget, `vector(${this.ot.budgetText})`, this.labels);
      g.rec(RULE_NAMES.periodSeconds, `vector(${this.period})`, this.labels);
      g.rec(RULE_NAMES.budgetRemaining, budgetRemaining, this.labels);
      g.rec(RULE_NAMES.totalPeriod, this.eventsExpr(this.period), this.labels);
      g.rec(RULE_NAMES.coveragePeriod, this.coverageExpr(this.period), this.labels);
      g.rec(RULE_NAMES.info, "vector(1)", sortRecord({ ...this.labels, name: slo.name, objective: String(slo.objective), slo_period: slo.window }));
    }

    if (slo.alerting.enabled) {
      if (text) text.group(`slo-${this.slug}-alerts`, ivl.alerts);
      else this.g?.group(`slo-${this.slug}-alerts`, iv.alerts);
      this.alerts();
    }
  }

  // ---- alerts ----

  /** Identity and user label values, escaped (alert labels are templates). */
  private escValues: string[] = [];
  /** Text mode: escaped label chunks around the burn-alert extras and around `severity`. */
  private burnChunks: string[] = [];
  private ticketBlock = "";
  private runbook: string | null = null;
  private dashboard: string | null = null;
  private runbookLine = "";
  private dashboardLine = "";
  private tail = "";
  private name = "";
  private service = "";
  /** Text mode, decided on the SLO's first burn alert: plain expressions / summaries, and their fixed chunks. */
  private burnDecided = false;
  private burnExprPlain = false;
  private burnSummaryPlain = false;
  /** Burn-alert expression chunks: (max by (slo) (slo:burn_rate{slo="x",slo_window= … */
  private exprHead = "";
  private alertHead = "";
  private alertMid = "";
  private guardPre = "";
  private guardTail = "";
  private summaryHead = "";

  private initAlerts(): void {
    const slo = this.slo;
    this.escValues = this.values.map(escTemplate);
    const runbook = slo.alerting.runbookUrl || this.b.service.runbookUrl;
    if (runbook) this.runbook = escTemplate(runbook);
    if (this.ctx.dashboardBase !== null) this.dashboard = escTemplate(`${this.ctx.dashboardBase}${this.slug}`);
    const d = slo.description;
    this.tail = d ? `\n\n${escTemplate(d)}` : "";
    this.name = escTemplate(slo.name);
    this.service = escTemplate(this.b.service.name);
    const sel = `${RULE_NAMES.burnRate}{${this.sloMatcher},slo_window=`;
    this.exprHead = flat(`(max by (slo) (${sel}`);
    this.alertMid = flat(`) and on (slo) (max by (slo) (${sel}`);
    this.guardPre = flat(` and on (slo) (sum by (slo) (sum_over_time(${this.selTot}[`);
    this.guardTail = flat(` >= ${slo.alerting.minEvents})`);
    if (this.t) {
      const ev = this.escValues;
      const lines = this.lines.slice();
      for (let i = 0; i < lines.length; i++) if (ev[i] !== this.values[i]) lines[i] = labelLine(this.keys[i] as string, ev[i] as string);
      this.burnChunks = chunksAround(this.keys, lines, BURN_EXTRA_KEYS);
      const [pre, post] = chunksAround(this.keys, lines, TICKET_KEYS) as [string, string];
      if (ticketLine === undefined) ticketLine = flat(labelLine("severity", "ticket"));
      this.ticketBlock = flat(pre + ticketLine + post);
      if (this.runbook !== null) this.runbookLine = flat(labelLine("runbook_url", this.runbook));
      if (this.dashboard !== null) this.dashboardLine = flat(labelLine("dashboard", this.dashboard));
    }
  }

  private alertLabels(add: ReadonlyArray<[string, string]>): Record<string, string> {
    return mergedObject(this.keys, this.escValues, add);
  }

  /** Annotations sorted by name: dashboard, description, runbook_url, summary. */
  private annotations(summary: string, description: string): Record<string, string> {
    const o: Record<string, string> = {};
    if (this.dashboard !== null) o.dashboard = this.dashboard;
    o.description = description;
    if (this.runbook !== null) o.runbook_url = this.runbook;
    o.summary = summary;
    return o;
  }

  private annotationsBlock(summaryLine: string, descriptionLine: string): string {
    return this.dashboardLine + descriptionLine + this.runbookLine + summaryLine;
  }

  private burnSummary(t: WindowAlertText): string {
    return `SLO "${this.name}" of service "${this.service}" burns its error budget faster than ${t.burn}x (${t.long}/${t.short} windows)`;
  }

  private burnDescription(t: WindowAlertText): string {
    const minEvents = this.slo.alerting.minEvents;
    const guard = minEvents > 0 ? ` The ${t.long} window saw at least ${minEvents} events.` : "";
    return (
      `The error ratio over both the last ${t.long} and the last ${t.short} is above ${t.burn}x the error budget ` +
      `(${this.ot.budgetPct}% of events over ${this.periodLabel}). At this rate ${t.consumedPct}% of the budget is spent every ${t.long} ` +
      `and the whole budget in ${t.exhaustion}.${guard} Current ${t.long} burn rate: {{ $value | printf "%.2f" }}x.` +
      this.tail
    );
  }

  /** Without an SLO description the text depends only on the window, budget and minEvents: shared between SLOs. */
  private sharedBurnDescription(t: WindowAlertText): string {
    if (this.tail !== "") return this.burnDescription(t);
    const key = `${this.ot.budgetPct}|${this.slo.alerting.minEvents}`;
    let d = t.descriptions.get(key);
    if (d === undefined) {
      d = flat(this.burnDescription(t));
      if (t.descriptions.size < 256) t.descriptions.set(key, d);
    }
    return d;
  }

  /**
   * (max by (slo) (<burn_rate long>) > B) and on (slo) (max by (slo) (<burn_rate short>) > B), plus
   * ` and on (slo) (<events in the long window> >= minEvents)` when minEvents is set.
   */
  private burnExpr(w: BurnWindow, t: WindowAlertText): string {
    let expr = this.exprHead + t.qLong + t.gtBurn + this.alertMid + t.qShort + t.gtBurn + ")";
    // Events counted in the long window, as eventsExpr counts them (independent of sample spacing).
    if (this.slo.alerting.minEvents > 0) expr += this.guardPre + gridRange(w.longSeconds) + "])) * " + String(gridSeconds(w.longSeconds)) + this.guardTail;
    return expr;
  }

  private burnAlert(w: BurnWindow): void {
    const t = windowAlertText(w, this.period);
    const text = this.t;
    if (text === null) {
      (this.g as GroupSink).alert(
        RULE_NAMES.burnAlert,
        this.burnExpr(w, t),
        t.forDur,
        this.alertLabels(t.extras),
        this.annotations(this.burnSummary(t), this.sharedBurnDescription(t)),
      );
      return;
    }
    const minEvents = this.slo.alerting.minEvents;
    if (!this.burnDecided) {
      this.burnDecided = true;
      this.burnExprPlain = isPlainScalar(this.burnExpr(w, t));
      this.burnSummaryPlain = isPlainScalar(this.burnSummary(t));
      this.alertHead = flat(alertPrefix(RULE_NAMES.burnAlert) + this.exprHead);
      this.summaryHead = flat(`${LABEL_INDENT}summary: SLO "${this.name}" of service "${this.service}" burns its error budget faster than `);
    }
    const key = this.tail === "" ? `${this.ot.budgetPct}|${minEvents}` : null;
    let descriptionLine = key === null ? undefined : t.descriptionLines.get(key);
    if (descriptionLine === undefined) {
      descriptionLine = flat(labelLine("description", this.sharedBurnDescription(t)));
      if (key !== null && t.descriptionLines.size < 256) t.descriptionLines.set(key, descriptionLine);
    }
    text.open();
    const p = text.parts;
    let n = text.n;
    if (this.burnExprPlain) {
      p[n++] = this.alertHead;
      p[n++] = t.qLong;
      p[n++] = t.gtBurn;
      p[n++] = this.alertMid;
      p[n++] = t.qShort;
      p[n++] = t.gtBurn;
      p[n++] = ")";
      if (minEvents > 0) {
        p[n++] = this.guardPre;
        p[n++] = gridRange(w.longSeconds);
        p[n++] = "])) * ";
        p[n++] = String(gridSeconds(w.longSeconds));
        p[n++] = this.guardTail;
      }
    } else {
      p[n++] = "      - alert: ";
      p[n++] = yamlScalar(RULE_NAMES.burnAlert);
      p[n++] = "\n        expr: ";
      p[n++] = yamlScalar(this.burnExpr(w, t));
    }
    const c = this.burnChunks;
    const x = t.extraLines;
    p[n++] = "\n";
    p[n++] = t.forLine;
    p[n++] = "        labels:\n";
    for (let i = 0; i < x.length; i++) {
      p[n++] = c[i] as string;
      p[n++] = x[i] as string;
    }
    p[n++] = c[x.length] as string;
    p[n++] = "        annotations:\n";
    p[n++] = this.dashboardLine;
    p[n++] = descriptionLine;
    p[n++] = this.runbookLine;
    if (this.burnSummaryPlain) {
      p[n++] = this.summaryHead;
      p[n++] = t.summaryTail;
    } else {
      p[n++] = lineOnce("summary", this.burnSummary(t));
    }
    text.n = n;
  }

  private alerts(): void {
    this.initAlerts();
    for (const w of burnWindowsOf(this.slo)) this.burnAlert(w);
    const minEvents = this.slo.alerting.minEvents;
    if (this.ctx.exhaustedAlerts) {
      const expr =
        `max by (slo) (${RULE_NAMES.budgetRemaining}{${this.sloMatcher}}) <= 0` +
        // Not on a guess: the period must hold data for most of its length (a new SLO or Prometheus).
        ` and on (slo) (max by (slo) (${RULE_NAMES.coveragePeriod}{${this.sloMatcher}}) >= ${num(round6(this.period * FULL_PERIOD_COVERAGE))})` +
        // Low-traffic guard: the period must hold minEvents events.
        (minEvents > 0 ? ` and on (slo) (max by (slo) (${RULE_NAMES.totalPeriod}{${this.sloMatcher}}) >= ${minEvents})` : "");
      const summary = `SLO "${this.name}" has exhausted its error budget`;

      if (this.t) {
        const key = this.tail === "" ? `${this.periodLabel}|${this.ot.budgetPct}` : null;
        let line = key === null ? undefined : exhaustedDescriptionLines.get(key);
        if (line === undefined) {
          line = flat(labelLine("description", this.exhaustedDescription()));
          if (key !== null && exhaustedDescriptionLines.size < 1024) exhaustedDescriptionLines.set(key, line);
        }
        this.t.alert(RULE_NAMES.exhaustedAlert, expr, "15m", this.ticketBlock, this.annotationsBlock(lineOnce("summary", summary), line));
      } else {
        (this.g as GroupSink).alert(RULE_NAMES.exhaustedAlert, expr, "15m", this.alertLabels(TICKET_EXTRAS), this.annotations(summary, this.exhaustedDescription()));
      }
    }
    const absent = this.absentExpr();
    if (this.ctx.noDataAlerts && absent) {
      const summary = `SLO "${this.name}" has no SLI data`;
      const description =
        `The SLI queries of SLO "${this.name}" have returned no data for 10m, so its burn-rate alerts cannot fire. ` +
        `Check that the metrics are scraped and the selectors match.` +
        this.tail;
      if (this.t) {
        this.t.alert(RULE_NAMES.absentAlert, absent, "10m", this.ticketBlock, this.annotationsBlock(lineOnce("summary", summary), lineOnce("description", description)));
      } else {
        (this.g as GroupSink).alert(RULE_NAMES.absentAlert, absent, "10m", this.alertLabels(TICKET_EXTRAS), this.annotations(summary, description));
      }
    }
  }

  /** Without an SLO description the text depends only on the period and budget: shared between SLOs. */
  private exhaustedDescription(): string {
    const key = this.tail === "" ? `${this.periodLabel}|${this.ot.budgetPct}` : null;
    let d = key === null ? undefined : exhaustedDescriptions.get(key);
    if (d === undefined) {
      d = flat(
        `The error ratio over the last ${this.periodLabel} exceeds the error budget of ${this.ot.budgetPct}%; ` +
          `remaining budget: {{ $value | humanizePercentage }}. Apply the error-budget policy.` +
          this.tail,
      );
      if (key !== null && exhaustedDescriptions.size < 1024) exhaustedDescriptions.set(key, d);
    }
    return d;
  }

  private absentExpr(): string | null {
    const sli = this.slo.sli;
    switch (sli.kind) {
      case "throughput":
        return null; // missing traffic already counts as bad slices
      case "saturation":
        return `absent(${sli.query})`;
      default:
        return `absent(${this.selTot}) or absent(${this.selErr})`;
    }
  }
}

function groupsOf(b: SloBundle, ctx: Ctx): RuleGroup[] {
  const sink = new GroupSink();
  new SloEmitter(b, ctx, null, sink).emit();
  return sink.groups;
}

/** Rule groups of one SLO (sli, windows, long and alerts groups), without validation. */
export function sloRuleGroups(bundle: SloBundle, opts: GenerationOptions): RuleGroup[] {
  return groupsOf(bundle, context(opts));
}

/**
 * Structured rule groups for every SLO (one set per SLO, sorted by slug) plus the infrastructure
 * set, for rule files, PrometheusRule objects and Mimir ruler namespaces.
 */
export function generateRuleGroups(bundles: SloBundle[], opts: GenerationOptions): RuleGroupSet[] {
  validateBundles(bundles);
  const { sets, failures } = generateCatalogueRuleGroups(bundles, opts, () => null);
  throwFirst(failures);
  return sets;
}

/** Prometheus rule files: `slo-<slug>.yml` per SLO and `burnrate-infrastructure.yml`, sorted by path. */
export function generateRuleFiles(bundles: SloBundle[], opts: GenerationOptions): RuleFile[] {
  validateBundles(bundles);
  const { files, failures } = generateCatalogueRuleFiles(bundles, opts, () => null);
  throwFirst(failures);
  return files;
}

/** The all-or-nothing entry points (exports, goldens) throw the first per-SLO failure. */
function throwFirst(failures: SloGenerationFailure[]): void {
  const f = failures[0];
  if (f) throw new SloGenerationError(f.field, f.reason);
}

/** Why one SLO generates no rules: the field (relative to the SLO, e.g. `labels.team`) and a readable reason. */
export type SloGenerationFailure = { slo: string; team: string; service: string; path: string; field: string; reason: string };

/**
 * The per-SLO check the generator runs before emitting an SLO. It is the single switch point for
 * the admission gate: today it applies the generator's own validation to the one SLO.
 */
export function checkSloBundle(bundle: SloBundle): { field: string; reason: string } | null {
  try {
    validateBundles([bundle]);
    return null;
  } catch (err) {
    if (err instanceof SloGenerationError) {
      const field = err.path.replace(/^slos\[0\]\.?/, "") || "slo";
      return { field, reason: err.message.slice(err.path.length + 2) };
    }
    return { field: "slo", reason: err instanceof Error ? err.message : String(err) };
  }
}

function failureOf(b: SloBundle, field: string, reason: string): SloGenerationFailure {
  return { slo: b.slo.slug, team: b.team.slug, service: b.service.slug, path: sloRuleFilePath(b.slo.slug), field, reason };
}

/** Splits a catalogue into bundles that pass `check` and per-SLO failures; a second SLO with an already used slug fails. */
function admitted(bundles: SloBundle[], check: (b: SloBundle) => { field: string; reason: string } | null): { ok: SloBundle[]; failures: SloGenerationFailure[] } {
  const ok: SloBundle[] = [];
  const failures: SloGenerationFailure[] = [];
  const seen = new Set<string>();
  for (const b of bundles) {
    if (seen.has(b.slo.slug)) {
      failures.push(failureOf(b, "slug", `duplicate SLO slug "${b.slo.slug}"`));
      continue;
    }
    seen.add(b.slo.slug);
    const problem = check(b);
    if (problem) failures.push(failureOf(b, problem.field, problem.reason));
    else ok.push(b);
  }
  return { ok, failures };
}

/** The reason without the field prefix an SloGenerationError's message carries (the field travels apart). */
const errText = (err: unknown) => (err instanceof SloGenerationError && err.message.startsWith(`${err.path}: `) ? err.message.slice(err.path.length + 2) : err instanceof Error ? err.message : String(err));

/** Rule files of a whole catalogue, failing per SLO: a bad SLO is reported, never thrown, and every other SLO generates. */
export type CatalogueRuleFiles = { files: RuleFile[]; failures: SloGenerationFailure[] };

/**
 * Like `generateRuleFiles`, but the failure domain is one SLO: each SLO is checked (`checkSloBundle`
 * unless given) and emitted on its own; an SLO that fails either step is returned in `failures`
 * with the field and the reason, and the others' files are complete. Never throws for the catalogue.
 */
export function generateCatalogueRuleFiles(bundles: SloBundle[], opts: GenerationOptions, check: (b: SloBundle) => { field: string; reason: string } | null = checkSloBundle): CatalogueRuleFiles {
  const { ok, failures } = admitted(bundles, check);
  const ctx = context(opts);
  const header = flat(generatedHeader(opts.version));
  const files: RuleFile[] = [];
  const sink = new TextSink(header);
  for (const b of ok) {
    const file: RuleFile = { path: sloRuleFilePath(b.slo.slug), content: "" };
    sink.begin();
    try {
      new SloEmitter(b, ctx, sink, null).emit();
    } catch (err) {
      sink.abort();
      failures.push(failureOf(b, err instanceof SloGenerationError ? err.path : "slo", errText(err)));
      continue;
    }
    sink.end(file);
    files.push(file);
  }
  sink.flush();
  if (opts.infrastructure?.enabled ?? true) {
    const infra = infrastructureRuleSet(opts, ctx.iv);
    files.push({ path: infra.path, content: renderRuleFile(infra.groups, opts.version) });
  }
  if (opts.meta) {
    const meta = metaRuleSet(opts.meta);
    files.push({ path: meta.path, content: renderRuleFile(meta.groups, opts.version) });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  failures.sort((a, b) => (a.slo < b.slo ? -1 : a.slo > b.slo ? 1 : 0));
  return { files, failures };
}

/** Rule group sets of a whole catalogue (Mimir, PrometheusRule), failing per SLO like `generateCatalogueRuleFiles`. */
export function generateCatalogueRuleGroups(bundles: SloBundle[], opts: GenerationOptions, check: (b: SloBundle) => { field: string; reason: string } | null = checkSloBundle): { sets: RuleGroupSet[]; failures: SloGenerationFailure[] } {
  const { ok, failures } = admitted(bundles, check);
  const ctx = context(opts);
  const sets: RuleGroupSet[] = [];
  for (const b of [...ok].sort((x, y) => (x.slo.slug < y.slo.slug ? -1 : x.slo.slug > y.slo.slug ? 1 : 0))) {
    try {
      sets.push({ path: sloRuleFilePath(b.slo.slug), slo: b.slo.slug, team: b.team.slug, service: b.service.slug, groups: groupsOf(b, ctx) });
    } catch (err) {
      failures.push(failureOf(b, err instanceof SloGenerationError ? err.path : "slo", errText(err)));
    }
  }
  if (opts.infrastructure?.enabled ?? true) sets.push(infrastructureRuleSet(opts, ctx.iv));
  if (opts.meta) sets.push(metaRuleSet(opts.meta));
  failures.sort((a, b) => (a.slo < b.slo ? -1 : a.slo > b.slo ? 1 : 0));
  return { sets, failures };
}
