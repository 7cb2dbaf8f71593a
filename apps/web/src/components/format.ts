import { durationToSeconds, nearestWindow } from "@burnrate/domain";

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
  return v >= 14.4 ? "bad" : v >= 6 ? "bad" : v >= 1 ? "warn" : "ok";
}

export function budgetColor(v: number | null): string {
  if (v === null) return "#cfd5e1";
  return v <= 0 ? "var(--bad)" : v < 0.25 ? "var(--warn)" : "var(--ok)";
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

/**
 * Burn-rate windows in time order (30m, 1h, 2h, 6h, 1d, 3d, 30d), never as text. The one place the UI
 * orders windows: when the window list moves into @burnrate/domain, switch this to it.
 */
export function byDuration(windows: Iterable<string>): string[] {
  const secs = (w: string) => {
    try {
      return durationToSeconds(w);
    } catch {
      return Number.POSITIVE_INFINITY;
    }
  };
  return [...windows].sort((a, b) => secs(a) - secs(b) || a.localeCompare(b));
}

/** True when an error budget is used up (remaining at or below zero). */
export function budgetExhausted(v: number | null | undefined): boolean {
  return v !== null && v !== undefined && Number.isFinite(v) && v <= 0;
}
