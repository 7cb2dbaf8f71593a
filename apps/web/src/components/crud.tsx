"use client";
import { useState, type ReactNode } from "react";
import { ApiClientError } from "~/lib/api-client";

/** Form state helpers: field errors from the API (or client-side zod) keyed by dotted path. */
export function useFieldErrors() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  return {
    errors,
    formError,
    clear: () => {
      setErrors({});
      setFormError(null);
    },
    fromError: (err: unknown) => {
      if (err instanceof ApiClientError) {
        setErrors(err.fields);
        setFormError(err.status === 409 ? err.message : Object.keys(err.fields).length ? "Please fix the highlighted fields." : err.message);
      } else {
        setFormError(err instanceof Error ? err.message : String(err));
      }
    },
    /** The user changed this field: its error is stale, drop it (and the banner once no field error is left). */
    fix: (...keys: string[]) => {
      if (!keys.some((k) => k in errors)) return;
      const next = { ...errors };
      for (const k of keys) delete next[k];
      setErrors(next);
      if (Object.keys(next).length === 0) setFormError(null);
    },
    setErrors,
    setFormError,
  };
}

/** The error of a form field, or of the first nested path under it (`spec.matchers.0.value` for `spec.matchers`). */
export function nestedError(errors: Record<string, string>, field: string): string | undefined {
  if (errors[field]) return errors[field];
  const hit = Object.entries(errors).find(([k]) => k.startsWith(`${field}.`));
  return hit ? `${hit[0].slice(field.length + 1)}: ${hit[1]}` : undefined;
}

/** Field errors the form has no input for (e.g. `labels.team`, `alerting.windows.0.burnRate`), listed under the form. */
export function OtherFieldErrors({ errors, shown }: { errors: Record<string, string>; shown: readonly string[] }) {
  const other = Object.entries(errors).filter(([k]) => !shown.some((f) => k === f || k.startsWith(`${f}.`)));
  if (other.length === 0) return null;
  return (
    <ul className="field-error" role="alert" aria-label="Other field errors">
      {other.map(([k, v]) => <li key={k}><code>{k}</code>: {v}</li>)}
    </ul>
  );
}

export function cls(invalid: boolean | undefined, extra = ""): string {
  return `${extra} ${invalid ? "invalid" : ""}`.trim();
}

/** The save / cancel footer of the inline create-and-edit forms. */
export function FormActions({ pending, label, onCancel }: { pending: boolean; label: string; onCancel: () => void }) {
  return (
    <div className="btn-row">
      <button className="btn btn-primary" type="submit" disabled={pending}>{pending ? "Saving…" : label}</button>
      <button className="btn" type="button" onClick={onCancel}>Cancel</button>
    </div>
  );
}

/** A header cell: its text, or its text with a tooltip. Use "" for an empty cell (e.g. above row actions). */
export type HeadCell = string | { label: string; title: string };

/** A list table: table-wrap > table > thead (one row of `head`) + tbody (`children`, the rows). */
export function DataTable({ head, testId, children }: { head: HeadCell[]; testId?: string; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table data-testid={testId}>
        <thead><tr>{head.map((h, i) => (typeof h === "string" ? <th key={i}>{h || null}</th> : <th key={i} title={h.title}>{h.label}</th>))}</tr></thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The right-aligned last cell of a list row holding its buttons. */
export function RowActions({ children }: { children: ReactNode }) {
  return (
    <td style={{ textAlign: "right" }}>
      <div className="btn-row row-actions" style={{ justifyContent: "flex-end" }}>{children}</div>
    </td>
  );
}

/**
 * Long lists render in pages of `step` rows with a "Show more" footer, so a 1,000-row table stays
 * responsive; filters and search apply to every row, not only the shown ones.
 */
export function useRowLimit(step = 100) {
  const [limit, setLimit] = useState(step);
  return {
    take: <T,>(rows: T[]): T[] => rows.slice(0, limit),
    footer: (total: number) =>
      total > limit ? (
        <div className="btn-row" style={{ justifyContent: "center", marginTop: 10 }} data-testid="more-rows">
          <span className="muted" style={{ alignSelf: "center" }}>Showing {limit} of {total}</span>
          <button type="button" className="btn" onClick={() => setLimit(limit + step)}>Show {Math.min(step, total - limit)} more</button>
          <button type="button" className="btn" onClick={() => setLimit(total)}>Show all</button>
        </div>
      ) : null,
  };
}

/** Why a form is read-only for this user, shown above it (the server refuses the same change). */
export function ReadOnlyNote({ reason }: { reason: string | null }) {
  return reason ? <div className="alert alert-warn" role="status" data-testid="read-only-reason"><strong>Read-only.</strong> {reason}</div> : null;
}
