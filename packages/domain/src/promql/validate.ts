import { parser } from "@prometheus-io/lezer-promql";

/** A PromQL syntax problem, located by 1-based line/column and 0-based offset. */
export type PromqlIssue = {
  message: string;
  offset: number;
  line: number;
  column: number;
};

function locate(expr: string, offset: number): { line: number; column: number } {
  const before = expr.slice(0, offset);
  const lines = before.split("\n");
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/**
 * Parses a PromQL expression with the same Lezer grammar the Prometheus UI uses and returns the
 * first syntax error, or null when the expression parses. The grammar is error-tolerant, so we walk
 * the tree looking for error nodes instead of catching exceptions.
 */
export function findPromqlSyntaxError(expr: string): PromqlIssue | null {
  if (expr.trim() === "") {
    return { message: "expression is empty", offset: 0, line: 1, column: 1 };
  }
  const tree = parser.parse(expr);
  let errorAt: number | null = null;
  tree.iterate({
    enter(node) {
      if (errorAt !== null) return false;
      if (node.type.isError) {
        errorAt = node.from;
        return false;
      }
      return undefined;
    },
  });
  if (errorAt === null) return null;
  const offset: number = errorAt;
  const { line, column } = locate(expr, offset);
  const near = expr.slice(offset, offset + 12);
  const message =
    offset >= expr.length
      ? `unexpected end of expression at line ${line}, column ${column}`
      : `unexpected "${near}" at line ${line}, column ${column}`;
  return { message, offset, line, column };
}

/** Window placeholder used in custom SLI queries, compatible with Sloth's `{{.window}}`. */
export const WINDOW_PLACEHOLDER = "{{.window}}";

/** Replaces every window placeholder (`{{.window}}`, `{{ .window }}`) with a Prometheus duration. */
export function substituteWindow(query: string, window: string): string {
  return query.replace(/\{\{\s*\.window\s*\}\}/g, window);
}

/**
 * Replaces window placeholders with a duration of the same length ("{{.window}}" → "0000000005m"),
 * so syntax-error positions in the substituted text are positions in what the user typed.
 */
export function substituteWindowForValidation(query: string): string {
  return query.replace(/\{\{\s*\.window\s*\}\}/g, (m) => `${"0".repeat(Math.max(0, m.length - 2))}5m`);
}
