import { z } from "zod";
import { LABEL_NAME_RE, METRIC_NAME_RE, promqlString } from "../promql/escape";
import { findPromqlSyntaxError, substituteWindow, substituteWindowForValidation, WINDOW_PLACEHOLDER } from "../promql/validate";

/**
 * SLI specifications. Every kind compiles to the same shape, a pair of PromQL expressions giving
 * the rate of bad events and the rate of all events over a window (see `sliQueries`), so the rule
 * generator treats them uniformly.
 */

export const MatcherSchema = z.object({
  label: z.string().regex(LABEL_NAME_RE, "must be a valid label name"),
  op: z.enum(["=", "!=", "=~", "!~"]),
  value: z.string().max(500, "must be at most 500 characters"),
});
export type Matcher = z.infer<typeof MatcherSchema>;

const MetricNameSchema = z.string().trim().regex(METRIC_NAME_RE, "must be a valid Prometheus metric name");
const MatchersSchema = z.array(MatcherSchema).max(20).default([]);

/** Errors golden signal: a request counter split into errors by a label matcher (e.g. code=~"5.."). */
export const AvailabilitySliSchema = z.object({
  kind: z.literal("availability"),
  metric: MetricNameSchema,
  matchers: MatchersSchema,
  errorMatchers: z.array(MatcherSchema).min(1, "add at least one matcher that selects errors").max(10),
});

/** Latency golden signal: share of requests faster than a histogram bucket boundary. */
export const LatencySliSchema = z.object({
  kind: z.literal("latency"),
  /** Histogram base name, without _bucket/_count. */
  metric: MetricNameSchema.refine((m) => !/_(bucket|count|sum)$/.test(m), "use the histogram base name without _bucket/_count"),
  matchers: MatchersSchema,
  /** Upper bound in seconds; must equal an existing `le` bucket boundary. */
  thresholdSeconds: z.number().positive("must be greater than 0").max(3600, "must be at most 3600 seconds"),
});

/** Traffic golden signal, timeslice based: a 5m slice is bad when throughput drops below a floor. */
export const ThroughputSliSchema = z.object({
  kind: z.literal("throughput"),
  metric: MetricNameSchema,
  matchers: MatchersSchema,
  minPerSecond: z.number().positive("must be greater than 0"),
});

/** Saturation golden signal, timeslice based: a slice is bad when a gauge expression exceeds a threshold. */
export const SaturationSliSchema = z.object({
  kind: z.literal("saturation"),
  query: z.string().trim().min(1, "is required").max(4000),
  threshold: z.number(),
});

/** Free-form PromQL; queries must contain {{.window}} and return one series (they are summed). */
export const CustomSliSchema = z.object({
  kind: z.literal("custom"),
  /** Either errorQuery or goodQuery is given. */
  errorQuery: z.string().trim().max(4000).optional(),
  goodQuery: z.string().trim().max(4000).optional(),
  totalQuery: z.string().trim().min(1, "is required").max(4000),
});

const SliSpecBase = z.discriminatedUnion("kind", [
  AvailabilitySliSchema,
  LatencySliSchema,
  ThroughputSliSchema,
  SaturationSliSchema,
  CustomSliSchema,
]);

export const SliSpecSchema = SliSpecBase.superRefine((spec, ctx) => {
  const check = (path: string, expr: string | undefined, needsWindow: boolean) => {
    if (expr === undefined || expr === "") return;
    if (needsWindow && !/\{\{\s*\.window\s*\}\}/.test(expr)) {
      ctx.addIssue({ code: "custom", path: [path], message: `must contain ${WINDOW_PLACEHOLDER}` });
      return;
    }
    const err = findPromqlSyntaxError(substituteWindowForValidation(expr));
    if (err) ctx.addIssue({ code: "custom", path: [path], message: `invalid PromQL: ${err.message}` });
  };
  if (spec.kind === "custom") {
    if (!spec.errorQuery && !spec.goodQuery) {
      ctx.addIssue({ code: "custom", path: ["errorQuery"], message: "give an error query or a good query" });
    }
    if (spec.errorQuery && spec.goodQuery) {
      ctx.addIssue({ code: "custom", path: ["goodQuery"], message: "give either an error query or a good query, not both" });
    }
    check("errorQuery", spec.errorQuery, true);
    check("goodQuery", spec.goodQuery, true);
    check("totalQuery", spec.totalQuery, true);
    if (spec.totalQuery && (spec.errorQuery ?? spec.goodQuery) === spec.totalQuery) {
      ctx.addIssue({ code: "custom", path: ["totalQuery"], message: "must differ from the error/good query" });
    }
  }
  if (spec.kind === "saturation") check("query", spec.query, false);
  // Regexes (Go syntax, per target version) and PromQL types are checked by the admission gate.
});
export type SliSpec = z.infer<typeof SliSpecSchema>;
export type SliKind = SliSpec["kind"];

function selector(metric: string, matchers: Matcher[]): string {
  const sorted = [...matchers].sort((a, b) => a.label.localeCompare(b.label) || a.op.localeCompare(b.op) || a.value.localeCompare(b.value));
  const inner = sorted.map((m) => `${m.label}${m.op}${promqlString(m.value)}`).join(",");
  return `${metric}{${inner}}`;
}

/**
 * Matcher for a histogram bucket boundary. Client libraries disagree on how integral bounds are
 * written (Go: "1", Python: "1.0"), so integral thresholds match both spellings.
 */
export function leMatcher(seconds: number): Matcher {
  return Number.isInteger(seconds)
    ? { label: "le", op: "=~", value: `${seconds}(\\.0)?` }
    : { label: "le", op: "=", value: String(seconds) };
}

/**
 * The two expressions every SLI compiles to, for a given range window (e.g. "5m"):
 * `errors` is the per-second rate of bad events, `total` the per-second rate of all events.
 * Timeslice SLIs (throughput, saturation) report a bad fraction in [0,1] over a total of 1.
 */
export function sliQueries(spec: SliSpec, window: string): { errors: string; total: string } {
  switch (spec.kind) {
    case "availability":
      return {
        errors: `sum(rate(${selector(spec.metric, [...spec.matchers, ...spec.errorMatchers])}[${window}]))`,
        total: `sum(rate(${selector(spec.metric, spec.matchers)}[${window}]))`,
      };
    case "latency": {
      const total = `sum(rate(${selector(`${spec.metric}_count`, spec.matchers)}[${window}]))`;
      const good = `sum(rate(${selector(`${spec.metric}_bucket`, [...spec.matchers, leMatcher(spec.thresholdSeconds)])}[${window}]))`;
      return { errors: `(${total} - ${good})`, total };
    }
    case "throughput":
      return {
        // No series at all means no traffic, which is a bad slice too.
        errors: `((sum(rate(${selector(spec.metric, spec.matchers)}[${window}])) < bool ${spec.minPerSecond}) or vector(1))`,
        total: "vector(1)",
      };
    case "saturation":
      return {
        errors: `avg_over_time(((${spec.query}) > bool ${spec.threshold})[${window}:1m])`,
        total: "vector(1)",
      };
    case "custom": {
      const total = `sum(${substituteWindow(spec.totalQuery, window)})`;
      if (spec.errorQuery) return { errors: `sum(${substituteWindow(spec.errorQuery, window)})`, total };
      // A good-event series that does not exist yet means zero good events.
      return { errors: `(${total} - (sum(${substituteWindow(spec.goodQuery ?? "", window)}) or vector(0)))`, total };
    }
  }
}

/** Builds an SLI from one of the Four Golden Signals templates. */
export function goldenSignalTemplate(
  signal: "errors" | "latency" | "traffic" | "saturation",
  input: { metric: string; matchers?: Matcher[]; thresholdSeconds?: number; minPerSecond?: number; threshold?: number },
): SliSpec {
  const matchers = input.matchers ?? [];
  switch (signal) {
    case "errors":
      return { kind: "availability", metric: input.metric, matchers, errorMatchers: [{ label: "code", op: "=~", value: "5.." }] };
    case "latency":
      return { kind: "latency", metric: input.metric, matchers, thresholdSeconds: input.thresholdSeconds ?? 0.3 };
    case "traffic":
      return { kind: "throughput", metric: input.metric, matchers, minPerSecond: input.minPerSecond ?? 1 };
    case "saturation":
      return { kind: "saturation", query: `max(${selector(input.metric, matchers)})`, threshold: input.threshold ?? 0.9 };
  }
}
