/**
 * The mass-deletion guard: a push that would remove the rules of more than `share` of the SLOs live
 * on a target, or of all of them (an empty or wrong database, a restored old backup, a wrong
 * DATABASE_URL), is held until an administrator confirms it. Returns the SLOs it would remove, or
 * null when the push may go ahead.
 */
export function massDeletion(live: readonly string[], desired: Iterable<string>, share: number): { removed: string[]; live: number } | null {
  if (live.length === 0) return null;
  const wanted = new Set(desired);
  const removed = live.filter((o) => !wanted.has(o));
  if (removed.length === 0) return null;
  if (removed.length === live.length || removed.length / live.length > share) return { removed, live: live.length };
  return null;
}
