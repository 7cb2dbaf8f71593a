/**
 * A small, fast YAML emitter for generated rule files. `yaml`'s generic stringify costs ~3 ms per
 * SLO, which makes 10k SLOs take half a minute; rule files only contain maps, lists and strings, so
 * we emit them structurally here. Every string goes through `yamlScalar`, which writes a plain
 * scalar only for a conservative safe subset and a double-quoted, fully escaped scalar otherwise;
 * tests check that the `yaml` package parses every output back to the exact input.
 */
import type { Rule, RuleGroup } from "./types";

const PLAIN_RE = /^[A-Za-z0-9_/$(][A-Za-z0-9 _./:,;$=~!<>+*(){}\[\]|"'@%&?^\\-]*$/;
// Things YAML 1.1/1.2 would read as something other than a string, or that need quoting.
const NUMERIC_LIKE_RE = /^[-+.]?[0-9][0-9a-fA-FoxX_.:+eE-]*$/;
const KEYWORD_RE = /^(?:true|false|yes|no|on|off|y|n|null|~|nan|inf|\.nan|\.inf)$/i;

const cache = new Map<string, string>();

function needsQuotes(s: string): boolean {
  if (s === "" || !PLAIN_RE.test(s)) return true;
  const last = s.charCodeAt(s.length - 1);
  if (last === 32 || last === 58 /* ":" */ || s.charCodeAt(0) === 32) return true;
  if (s.includes(": ") || s.includes(" #")) return true;
  if (s.length <= 8 && KEYWORD_RE.test(s)) return true;
  if (NUMERIC_LIKE_RE.test(s)) return true;
  // Flow indicators only matter at the start, but "{"/"[" starting a scalar also starts a flow collection.
  return FIRST_RE.test(s);
}

const FIRST_RE = /^[{[\]}!&*|>'"%@`,?#-]/;

/** JSON escaping plus the characters YAML (1.1 line breaks, C1 controls, DEL, BOM) also needs escaped. */
function doubleQuoted(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
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
const LABEL_INDENT = `${I}  `;

// Label maps are shared between the rules of one SLO; their rendered lines are memoised per object.
const linesCache = new WeakMap<Record<string, string>, string[]>();
const blockCache = new WeakMap<Record<string, string>, string>();

function labelLines(m: Record<string, string>): string[] {
  let lines = linesCache.get(m);
  if (!lines) {
    lines = [];
    for (const k in m) lines.push(`${LABEL_INDENT}${yamlScalar(k)}: ${yamlScalar(m[k] as string)}\n`);
    linesCache.set(m, lines);
  }
  return lines;
}

function mapBlock(m: Record<string, string>): string {
  let block = blockCache.get(m);
  if (block === undefined) {
    block = labelLines(m).join("");
    blockCache.set(m, block);
  }
  return block;
}

/**
 * Adds labels to a key-sorted label map, keeping the order (extra keys override), and derives the
 * rendered lines from the base map's so shared label sets are rendered once per SLO.
 */
export function extendLabels(sorted: Record<string, string>, extra: Array<[string, string]>): Record<string, string> {
  const add = [...extra].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const baseLines = labelLines(sorted);
  const out: Record<string, string> = {};
  const lines: string[] = [];
  const line = (k: string, v: string) => `${LABEL_INDENT}${yamlScalar(k)}: ${yamlScalar(v)}\n`;
  let i = 0;
  let j = 0;
  for (const k in sorted) {
    while (i < add.length && (add[i] as [string, string])[0] < k) {
      const [ak, av] = add[i++] as [string, string];
      out[ak] = av;
      lines.push(line(ak, av));
    }
    if (i < add.length && (add[i] as [string, string])[0] === k) {
      j++;
      continue;
    }
    out[k] = sorted[k] as string;
    lines.push(baseLines[j++] as string);
  }
  for (; i < add.length; i++) {
    const [ak, av] = add[i] as [string, string];
    out[ak] = av;
    lines.push(line(ak, av));
  }
  linesCache.set(out, lines);
  return out;
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
