import { z } from "zod";
import { LABEL_NAME_RE } from "../promql/escape";

/** Stable, URL- and label-safe identifier chosen by users: "checkout-api". */
export const SlugSchema = z
  .string()
  .trim()
  .min(2, "must be at least 2 characters")
  .max(63, "must be at most 63 characters")
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "use lowercase letters, digits and dashes (e.g. checkout-api)");

/**
 * A reference to another resource by slug, chosen from a dropdown: an empty value reads
 * "choose a service" (the first issue, which forms show) rather than a slug-length rule.
 */
export function refSlugSchema(what: string) {
  return z.string().trim().min(1, `choose ${what}`).min(2, "must be at least 2 characters").max(63, "must be at most 63 characters")
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "use lowercase letters, digits and dashes (e.g. checkout-api)");
}

/**
 * The slug a form suggests for a display name: "Checkout API (EU)" → "checkout-api-eu". Accents are
 * dropped, anything else becomes a dash, and the result fits SlugSchema's length ("" when nothing is left).
 */
export function slugFromName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 63)
    .replace(/^-+|-+$/g, "");
}

export const DisplayNameSchema = z
  .string()
  .trim()
  .min(1, "is required")
  .max(120, "must be at most 120 characters")
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  .refine((s) => !/[\u0000-\u001f]/.test(s), "must not contain control characters");

export const DescriptionSchema = z.string().trim().max(2000, "must be at most 2000 characters");

/** An http(s) URL without credentials. */
export const HttpUrlSchema = z
  .string()
  .trim()
  .max(2048, "must be at most 2048 characters")
  .url("must be a valid URL")
  .refine((u) => /^https?:\/\//i.test(u), "must start with http:// or https://")
  .refine((u) => {
    try {
      const p = new URL(u);
      return p.username === "" && p.password === "";
    } catch {
      return false;
    }
  }, "must not contain credentials; use the token field");

export const OptionalUrlSchema = z.union([HttpUrlSchema, z.literal("")]).optional();

export const LabelNameSchema = z
  .string()
  .regex(LABEL_NAME_RE, "must be a valid Prometheus label name")
  .refine((s) => !s.startsWith("__"), "must not start with __ (reserved)");

/** Free-form key/value labels copied onto generated rules and alerts. */
export const LabelsSchema = z
  .record(LabelNameSchema, z.string().max(200, "label values must be at most 200 characters"))
  .refine((r) => Object.keys(r).length <= 20, "at most 20 labels")
  .default({});

export const TierSchema = z.enum(["critical", "high", "medium", "low"]);
export type Tier = z.infer<typeof TierSchema>;

/** Prometheus duration like 5m, 1h30m, 28d. */
export const DurationSchema = z
  .string()
  .regex(/^(\d+(ms|s|m|h|d|w|y))+$/, "must be a Prometheus duration such as 5m, 1h or 28d");

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

export function durationToSeconds(d: string): number {
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
    total += Number(m[1]) * (UNIT_SECONDS[m[2] ?? "s"] ?? 1);
  }
  return total;
}

/** Formats seconds as the shortest exact Prometheus duration (e.g. 3900 → "1h5m"). */
export function secondsToDuration(seconds: number): string {
  if (seconds <= 0) return "0s";
  let rest = Math.round(seconds);
  let out = "";
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
