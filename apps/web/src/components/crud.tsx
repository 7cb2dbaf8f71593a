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
