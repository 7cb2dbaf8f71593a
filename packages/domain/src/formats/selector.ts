import { promqlString } from "../promql/escape";
import type { Matcher } from "../spec/sli";

/** A parsed PromQL vector selector: metric name and label matchers. */
export type ParsedSelector = { metric: string; matchers: Matcher[] };

const SELECTOR_RE = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s;
const MATCHER_RE = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)/s;

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}

/** Parses `metric{a="b",c=~"d"}` (double-quoted values only); returns null for anything else. */
export function parseSelector(expr: string): ParsedSelector | null {
  const m = SELECTOR_RE.exec(expr);
  if (!m?.[1]) return null;
  const matchers: Matcher[] = [];
  let rest = m[2] ?? "";
  while (rest.trim() !== "") {
    const mm = MATCHER_RE.exec(rest);
    if (!mm?.[1] || !mm[2] || mm[3] === undefined) return null;
    matchers.push({ label: mm[1], op: mm[2] as Matcher["op"], value: unescape(mm[3]) });
    rest = rest.slice(mm[0].length);
  }
  return { metric: m[1], matchers };
}

/** Renders a selector with matchers sorted like `sliQueries` does. */
export function renderSelector(metric: string, matchers: Matcher[]): string {
  const sorted = [...matchers].sort((a, b) => a.label.localeCompare(b.label) || a.op.localeCompare(b.op) || a.value.localeCompare(b.value));
  return `${metric}{${sorted.map((m) => `${m.label}${m.op}${promqlString(m.value)}`).join(",")}}`;
}

export function sameMatcher(a: Matcher, b: Matcher): boolean {
  return a.label === b.label && a.op === b.op && a.value === b.value;
}

/** Strips one outer `sum(...)` when it wraps the whole expression. */
export function unwrapSum(expr: string): string {
  const t = expr.trim();
  if (!/^sum\s*\(/.test(t) || !t.endsWith(")")) return t;
  const open = t.indexOf("(");
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    if (t[i] === "(") depth++;
    else if (t[i] === ")") {
      depth--;
      if (depth === 0 && i !== t.length - 1) return t;
    }
  }
  return t.slice(open + 1, -1).trim();
}
