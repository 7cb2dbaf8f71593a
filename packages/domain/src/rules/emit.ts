/**
 * A small, fast YAML emitter for generated rule files. `yaml`'s generic stringify costs ~3 ms per
 * SLO, which makes 10k SLOs take half a minute; rule files only contain maps, lists and strings, so
 * we emit them structurally here. Every string goes through `yamlScalar`, which writes a plain
 * scalar only for a conservative safe subset and a double-quoted, fully escaped scalar otherwise;
 * tests check that the `yaml` package parses every output back to the exact input.
 */
import type { Rule, RuleGroup } from "./types";

const PLAIN_RE = /^[A-Za-z0-9_/$(][A-Za-z0-9 _./:,;$=~!<>+*(){}[\]|"'@%&?^\\-]*$/;
// Things YAML 1.1/1.2 would read as something other than a string, or that need quoting.
const NUMERIC_LIKE_RE = /^[-+.]?[0-9][0-9a-fA-FoxX_.:+eE-]*$/;
const KEYWORD_RE = /^(?:true|false|yes|no|on|off|y|n|null|~|nan|inf|\.nan|\.inf)$/i;

const cache = new Map<string, string>();

/**
 * Plain only in the safe subset PLAIN_RE, not ending in ' ' or ':', without ": ", not a keyword and
 * not number-like. PLAIN_RE already rules out a leading space, '#' (so " #") and every flow or
 * indicator character at the start, and a number-like string must start with a digit here ('-',
 * '+' and '.' cannot start a plain scalar), so those checks are skipped (this runs over the
 * expression of every generated rule).
 */
function needsQuotes(s: string): boolean {
  if (!PLAIN_RE.test(s)) return true; // also rejects ""
  const last = s.charCodeAt(s.length - 1);
  if (last === 32 || last === 58 /* ":" */) return true;
  if (s.includes(": ")) return true;
  if (s.length <= 8 && KEYWORD_RE.test(s)) return true;
  const first = s.charCodeAt(0);
  return first >= 48 && first <= 57 && NUMERIC_LIKE_RE.test(s);
}

/** JSON escaping plus the characters YAML (1.1 line breaks, C1 controls, DEL, BOM) also needs escaped. */
function doubleQuoted(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** yamlScalar without the memo, for strings that occur once (per-SLO names and texts). */
export function yamlScalarOnce(s: string): string {
  return needsQuotes(s) ? doubleQuoted(s) : s;
}

/** One YAML scalar for a string, safe on a single line after `key: ` or `- `. */
export function yamlScalar(s: string): string {
  // Only short strings (names, label values, windows) repeat; hashing long expressions costs more than it saves.
  if (s.length > 64) return needsQuotes(s) ? doubleQuoted(s) : s;
  const hit = cache.get(s);
  if (hit !== undefined) return hit;
  const out = needsQuotes(s) ? doubleQuoted(s) : s;
  if (cache.size > 50_000) cache.clear();
  cache.set(s, out);
  return out;
}

const I = "        "; // keys of a rule item
/** Indentation of the entries of a rule's `labels:`/`annotations:` map. */
export const LABEL_INDENT = `${I}  `;

/** One rendered `key: value` line of a label or annotation map. */
export function labelLine(k: string, v: string): string {
  return `${LABEL_INDENT}${yamlScalar(k)}: ${yamlScalar(v)}\n`;
}

// Label maps are shared between the rules of one SLO; their rendered block is memoised per object.
const blockCache = new WeakMap<Record<string, string>, string>();

function mapBlock(m: Record<string, string>): string {
  let block = blockCache.get(m);
  if (block === undefined) {
    block = "";
    for (const k in m) block += labelLine(k, m[k] as string);
    blockCache.set(m, block);
  }
  return block;
}

function hasKeys(r: Record<string, string>): boolean {
  for (const _ in r) return true;
  return false;
}

function rule(r: Rule, out: string[]): void {
  if ("record" in r) {
    out.push("      - record: ", yamlScalar(r.record), "\n", I, "expr: ", yamlScalar(r.expr), "\n");
    if (hasKeys(r.labels)) out.push(I, "labels:\n", mapBlock(r.labels));
    return;
  }
  out.push("      - alert: ", yamlScalar(r.alert), "\n", I, "expr: ", yamlScalar(r.expr), "\n");
  if (r.for) out.push(I, "for: ", yamlScalar(r.for), "\n");
  if (hasKeys(r.labels)) out.push(I, "labels:\n", mapBlock(r.labels));
  if (hasKeys(r.annotations)) out.push(I, "annotations:\n", mapBlock(r.annotations));
}

/** `groups:` document of a Prometheus rule file (without header). */
export function emitRuleGroups(groups: RuleGroup[]): string {
  if (groups.length === 0) return "groups: []\n";
  const out: string[] = ["groups:\n"];
  for (const g of groups) {
    out.push("  - name: ", yamlScalar(g.name), "\n    interval: ", yamlScalar(g.interval), "\n    rules:\n");
    for (const r of g.rules) rule(r, out);
  }
  return out.join("");
}

/** True when `yamlScalar(s)` writes `s` as it is (a plain scalar). */
export function isPlainScalar(s: string): boolean {
  return !needsQuotes(s);
}
