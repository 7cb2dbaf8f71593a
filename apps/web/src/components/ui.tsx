"use client";
import type { ReactNode } from "react";
import type { ApiClientError } from "~/lib/api-client";
import { budgetColor, budgetExhausted, pct } from "./format";

export function PageHead({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p>{subtitle}</p> : null}
      </div>
      {actions ? <div className="btn-row no-print">{actions}</div> : null}
    </div>
  );
}

export function Loading({ rows = 4, label = "Loading" }: { rows?: number; label?: string }) {
  return (
    <div aria-busy="true" aria-label={label} role="status">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton" style={{ width: `${90 - i * 12}%` }} />
      ))}
    </div>
  );
}

export function ErrorBox({ error, title }: { error: Error | ApiClientError | null | undefined; title?: string }) {
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {error.message}
    </div>
  );
}

export function Empty({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children ? <p>{children}</p> : null}
      {action}
    </div>
  );
}

export function Field({ label, name, error, hint, children }: { label: string; name: string; error?: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="field" data-field={name}>
      <label htmlFor={name}>{label}</label>
      {children}
      {hint ? <div className="hint">{hint}</div> : null}
      {error ? (
        <div className="field-error" role="alert" id={`${name}-error`}>
          {error}
        </div>
      ) : null}
    </div>
  );
}

export function Badge({ tone = "default", children }: { tone?: "default" | "ok" | "warn" | "bad" | "info"; children: ReactNode }) {
  return <span className={`badge ${tone === "default" ? "" : `badge-${tone}`}`}>{children}</span>;
}

export function tierTone(tier: string): "bad" | "warn" | "info" | "default" {
  return tier === "critical" ? "bad" : tier === "high" ? "warn" : tier === "medium" ? "info" : "default";
}

/**
 * Budget remaining as a figure and a bar. A negative or exhausted budget reads in red with a full red
 * bar and the overrun ("−4.2 %, exhausted"), never as an empty 0 % bar.
 */
/**
 * Budget remaining with its bar. `exhausted` is the domain's verdict (below zero AND the period
 * covered by data); without it a figure at or below zero counts as exhausted.
 */
export function BudgetCell({ value, digits = 1, testId = "budget", figure = true, exhausted }: { value: number | null | undefined; digits?: number; testId?: string; figure?: boolean; exhausted?: boolean }) {
  const v = value ?? null;
  // Below zero is always red with a full bar; "exhausted" is said only on the domain's verdict
  // (with partial history a negative figure is a warning, not yet an exhausted budget).
  const negative = budgetExhausted(v);
  const out = exhausted ?? negative;
  return (
    <div title={out ? "Error budget exhausted: more errors than the objective allows in this window" : negative ? "More errors than the objective allows in the data so far (the period is not fully covered yet)" : undefined}>
      <div className={`mono${negative ? " budget-neg" : ""}`} data-testid={testId} data-exhausted={out ? "true" : undefined} hidden={!figure}>
        {pct(v, digits)}{out ? " · exhausted" : ""}
      </div>
      <div className="bar" role="img" aria-label={v === null ? "no data" : `budget remaining ${pct(v, digits)}`}>
        <span style={{ width: `${negative ? 100 : Math.max(0, Math.min(1, v ?? 0)) * 100}%`, background: negative ? "var(--bad)" : budgetColor(v) }} />
      </div>
    </div>
  );
}

export type AlertLike = { alertname: string; severity: string; state: string; burnTier?: string; inhibited?: boolean; silenced?: boolean; summary?: string };

/** One alert as a named chip: tier and alert name, with the full state in its tooltip. */
export function AlertChip({ alert: a }: { alert: AlertLike }) {
  const tone = a.state === "firing" ? (a.severity === "page" ? "bad" : "warn") : "default";
  const flags = [a.inhibited ? "inhibited" : "", a.silenced ? "silenced" : ""].filter(Boolean);
  const title = `${a.alertname}: ${a.state} ${a.severity}${a.burnTier ? `, ${a.burnTier} burn` : ""}${flags.length ? ` (${flags.join(", ")})` : ""}${a.summary ? ` · ${a.summary}` : ""}`;
  return (
    <span className={`badge ${tone === "default" ? "" : `badge-${tone}`}`} title={title} data-testid="alert-chip">
      {a.state === "firing" ? "" : `${a.state} · `}{a.burnTier ? `${a.severity} ${a.burnTier}` : a.severity} · {a.alertname}{flags.length ? ` · ${flags.join(" · ")}` : ""}
    </span>
  );
}

/**
 * A row's alerts: each firing alert as a named chip; pending ones folded into one "N pending" chip
 * whose tooltip names each (tier and alert name), so a row with many pending alerts stays narrow.
 */
export function AlertChips({ alerts }: { alerts: AlertLike[] }) {
  if (alerts.length === 0) return <span className="muted">—</span>;
  const firing = alerts.filter((a) => a.state === "firing");
  const other = alerts.filter((a) => a.state !== "firing");
  return (
    <div className="chip-list">
      {firing.map((a, i) => <AlertChip key={i} alert={a} />)}
      {other.length === 1 && other[0] ? <AlertChip alert={other[0]} /> : null}
      {other.length > 1 ? (
        <span className="badge" data-testid="alert-chip-pending" title={other.map((a) => `${a.state} ${a.severity}${a.burnTier ? ` ${a.burnTier}` : ""} · ${a.alertname}`).join("\n")}>
          {other.length} pending: {[...new Set(other.map((a) => a.severity))].join(", ")}
        </span>
      ) : null}
    </div>
  );
}

/** "No data" with its reason, in place of a figure (hover shows why). */
export function NoData({ reason }: { reason: string }) {
  return <span className="muted" title={reason} aria-label={`no data: ${reason}`} data-testid="no-data">—</span>;
}
