import "server-only";

/**
 * Text that came back from an upstream server (a target's status, a revision's error, a quarantine
 * reason) as the API shows it. Upstream bodies can carry anything the server chose to echo (paths,
 * internal hostnames, configuration fragments), so only administrators see them, truncated; every
 * other reader sees the mapped message without the body ("push failed at reload: Prometheus reload
 * failed (HTTP 500)"). Messages Burnrate wrote itself (validation, "unreachable", "no changes") read
 * the same for everyone, first line only.
 */
export type Viewer = { isAdmin: boolean };

/** The safe default where no principal is at hand: what a viewer may see. */
export const ANY_READER: Viewer = { isAdmin: false };

export const ADMIN_TEXT_LIMIT = 2000;
export const READER_TEXT_LIMIT = 300;

// C0/C1 controls except tab and newline: an upstream body must not drive a terminal or break a log line.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// "… (HTTP 500): body", "… (HTTP 422, bad_data): error": everything after the status is the upstream's.
const HTTP_STATUS = /\(HTTP (\d{3})(?:, [^)]*)?\)[\s\S]*$/;

function truncate(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}… (truncated)` : text;
}

export function upstreamText(text: string | null | undefined, viewer: Viewer): string {
  if (!text) return text ?? "";
  const clean = text.replace(CONTROLS, "");
  if (viewer.isAdmin) return truncate(clean, ADMIN_TEXT_LIMIT);
  const first = clean.split("\n")[0] ?? "";
  const m = HTTP_STATUS.exec(first);
  const mapped = m ? `${first.slice(0, m.index)}(HTTP ${m[1]}; the response is shown to administrators)` : first;
  return truncate(mapped, READER_TEXT_LIMIT);
}

type Reasoned = { reason: string; stage?: string };

/** Quarantine entries (target.quarantine, revision.quarantined) with their reasons mapped for the viewer. */
export function quarantineOut<T>(entries: T, viewer: Viewer): T {
  if (!Array.isArray(entries)) return entries;
  return entries.map((e: unknown) => (e && typeof e === "object" && typeof (e as Reasoned).reason === "string" ? { ...e, reason: upstreamText((e as Reasoned).reason, viewer) } : e)) as T;
}

/** Why one SLO is not deployed on a rule target, as the board, the SLO page and the deployment API say it. */
export function notDeployedReason(q: { stage: string; reason: string }, viewer: Viewer): string {
  const reason = upstreamText(q.reason, viewer);
  return q.stage === "generate" ? `refused by validation: ${reason}` : `refused by the target at ${q.stage}: ${reason.split("\n")[0] ?? ""}`;
}
