import { BUDGET_THRESHOLDS, BURN_THRESHOLDS, nearestWindow, sortWindows } from "@burnrate/domain";

export function pct(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return `${(v * 100).toFixed(digits)}%`;
}

export function burn(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return v >= 100 ? `${v.toFixed(0)}×` : v >= 10 ? `${v.toFixed(1)}×` : `${v.toFixed(2)}×`;
}

export function burnTone(v: number | null | undefined): "bad" | "warn" | "info" | "ok" | "default" {
  if (v === null || v === undefined || !Number.isFinite(v)) return "default";
  return v >= BURN_THRESHOLDS.page ? "bad" : v >= BURN_THRESHOLDS.sustainable ? "warn" : "ok";
}

export function budgetColor(v: number | null): string {
  if (v === null) return "#cfd5e1";
  return v <= BUDGET_THRESHOLDS.exhausted ? "var(--bad)" : v < BUDGET_THRESHOLDS.low ? "var(--warn)" : "var(--ok)";
}

export function burnAt(rates: Record<string, number>, window: string): number | null {
  const w = nearestWindow(window, Object.keys(rates));
  return w ? (rates[w] ?? null) : null;
}

export function stateTone(s: string): "bad" | "warn" | "info" | "ok" | "default" {
  return s === "incident_response" || s === "feature_freeze" ? "bad" : s === "page" || s === "reliability_sprint" ? "warn" : s === "ok" ? "ok" : "info";
}

export function label(s: string): string {
  return s.replace(/_/g, " ");
}

export function dateTime(ms: number | null | undefined): string {
  if (!ms) return "—";
  return new Date(ms).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** Burn-rate windows in time order (30m, 1h, 2h, 6h, 1d, 3d, 30d), never as text: the domain's order. */
export function byDuration(windows: Iterable<string>): string[] {
  return sortWindows([...windows]);
}

/** True when an error budget is used up (remaining at or below zero). */
export function budgetExhausted(v: number | null | undefined): boolean {
  return v !== null && v !== undefined && Number.isFinite(v) && v <= 0;
}
