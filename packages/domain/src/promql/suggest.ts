/**
 * "Did you mean …": the known metric names closest to a name that has no series, for the SLI form's
 * warning. Edit distance (insert/delete/substitute, and a swap of two neighbours) on the lower-cased
 * names; a name that contains the typed one, or is contained in it, also counts as close.
 */
export function closestNames(name: string, known: Iterable<string>, limit = 3): string[] {
  const want = name.toLowerCase();
  if (!want) return [];
  const maxDistance = Math.max(2, Math.floor(want.length / 3));
  const scored: { n: string; d: number }[] = [];
  for (const n of new Set(known)) {
    if (n === name) continue;
    const l = n.toLowerCase();
    const contains = l.includes(want) || (want.length >= 4 && want.includes(l));
    const d = contains ? Math.abs(l.length - want.length) / 100 : editDistance(want, l, maxDistance);
    if (d <= maxDistance) scored.push({ n, d });
  }
  return scored.sort((a, b) => a.d - b.d || a.n.localeCompare(b.n)).slice(0, limit).map((s) => s.n);
}

/** Optimal-string-alignment distance, giving up (returning cap + 1) once every path exceeds `cap`. */
export function editDistance(a: string, b: string, cap = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      cur[j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > cap) return cap + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
