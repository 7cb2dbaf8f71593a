import type { z } from "zod";
import type { ServiceSpec, SloSpec } from "../spec/slo";

/** One import problem, located by a path into the input (e.g. `documents[2].spec.objectives`). */
export type ImportIssue = { path: string; message: string };

/** Validated specs, or every problem found. */
export type ImportResult = { ok: true; slos: SloSpec[]; services: ServiceSpec[] } | { ok: false; errors: ImportIssue[] };

export function zodIssues(prefix: string, error: z.ZodError): ImportIssue[] {
  return error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter((p) => p !== "").join("."), message: i.message }));
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

export function stringRecord(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    const s = Array.isArray(x) ? x.map(String).join(",") : str(x);
    if (s !== undefined) out[k] = s;
  }
  return out;
}
