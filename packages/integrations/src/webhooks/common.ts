import { describeZodError } from "@burnrate/domain";
import type { z } from "zod";

/** Outcome of mapping a webhook payload: a value, a deliberate skip (e.g. a pending status), or an error naming the field. */
export type WebhookParse<T> =
  | { status: "ok"; value: T }
  | { status: "ignored"; reason: string }
  | { status: "error"; field: string; message: string };

export const parseError = (field: string, message: string) => ({ status: "error", field, message }) as const;

/** Accepts an already-parsed body or the raw JSON text. */
export function jsonBody(input: unknown): { ok: true; value: unknown } | { ok: false; field: string; message: string } {
  if (typeof input !== "string" && !(input instanceof Uint8Array)) return { ok: true, value: input };
  try {
    return { ok: true, value: JSON.parse(typeof input === "string" ? input : Buffer.from(input).toString("utf8")) };
  } catch (e) {
    return { ok: false, field: "(body)", message: `is not valid JSON: ${(e as Error).message}` };
  }
}

export function zodFail(error: z.ZodError, prefix = "") {
  const { field, message } = describeZodError(error, prefix);
  return parseError(field, message);
}

/** Repository/project name → service slug: lowercase, non-alphanumerics to dashes, at most 63 chars. */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/g, "");
}

/** Timestamps like GitLab's `2021-04-28 21:50:00 +0200` or RFC 3339 → ISO-8601 UTC, or null. */
export function toIso(value: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  let ms: number;
  if (m) {
    const off = m[3] === undefined || m[3] === "UTC" || m[3] === "Z" ? "Z" : m[3].includes(":") ? m[3] : `${m[3].slice(0, 3)}:${m[3].slice(3)}`;
    ms = Date.parse(`${m[1]}T${m[2]}${off}`);
  } else {
    ms = Date.parse(value);
  }
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
