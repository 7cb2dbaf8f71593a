/** One line of a unified-style diff. */
export type DiffLine = { op: " " | "+" | "-"; line: string };

/**
 * Line diff by longest common subsequence (O(n·m) memory, fine for generated files of a few
 * thousand lines). Used to preview a push against what is live.
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before === "" ? [] : before.split("\n");
  const b = after === "" ? [] : after.split("\n");
  const n = a.length;
  const m = b.length;
  if (n * m > 25_000_000) {
    return [...a.map((line) => ({ op: "-" as const, line })), ...b.map((line) => ({ op: "+" as const, line }))];
  }
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const next = lcs[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) row[j] = a[i] === b[j] ? (next[j + 1] ?? 0) + 1 : Math.max(next[j] ?? 0, row[j + 1] ?? 0);
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: " ", line: a[i] ?? "" });
      i++;
      j++;
    } else if ((lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0)) {
      out.push({ op: "-", line: a[i++] ?? "" });
    } else {
      out.push({ op: "+", line: b[j++] ?? "" });
    }
  }
  while (i < n) out.push({ op: "-", line: a[i++] ?? "" });
  while (j < m) out.push({ op: "+", line: b[j++] ?? "" });
  return out;
}
