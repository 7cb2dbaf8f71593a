import type { Matcher } from "./sli";

/**
 * Parses matchers written the PromQL way (`job="api", code=~"5.."`) into Matcher objects, for
 * forms. Returns an error message naming the bad part instead of throwing.
 */
export function parseMatchersText(text: string): { matchers: Matcher[] } | { error: string } {
  const out: Matcher[] = [];
  const src = text.trim().replace(/^\{|\}$/g, "");
  if (src.trim() === "") return { matchers: [] };
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  let pos = 0;
  while (pos < src.length) {
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) return { error: `cannot parse matcher near "${src.slice(pos, pos + 20).trim()}"; write label="value", separated by commas` };
    out.push({ label: m[1] ?? "", op: (m[2] ?? "=") as Matcher["op"], value: (m[3] ?? "").replace(/\\(.)/g, "$1") });
    pos = re.lastIndex;
    if (m[4] === "") break;
  }
  return { matchers: out };
}

export function formatMatchersText(matchers: Matcher[]): string {
  return matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(", ");
}
