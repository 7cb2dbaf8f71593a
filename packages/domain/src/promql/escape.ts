/**
 * Escaping helpers for user text that ends up in generated artifacts. Every value written into a
 * PromQL label matcher, a YAML scalar or a Go template must pass through one of these.
 */

/** Escapes a string for use inside a double-quoted PromQL string literal. */
export function promqlString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/**
 * Neutralises Go-template actions in user text placed into Prometheus/Alertmanager annotations.
 * `{{` becomes a template action that prints a literal `{{`, so the text renders verbatim.
 */
export function escapeGoTemplate(value: string): string {
  return value.replace(/\{\{|\}\}/g, (m) => (m === "{{" ? '{{ "{{" }}' : '{{ "}}" }}'));
}

/** Label names Prometheus accepts: [a-zA-Z_][a-zA-Z0-9_]*, not starting with __. */
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Metric names Prometheus accepts. */
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
