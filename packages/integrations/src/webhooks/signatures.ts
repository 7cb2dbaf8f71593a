import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export type SignatureFailure = "missing_secret" | "missing_header" | "malformed_header" | "mismatch" | "stale_timestamp";
export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure; message: string };

type RawBody = string | Uint8Array;
type HeaderValue = string | string[] | null | undefined;

const fail = (reason: SignatureFailure, message: string): SignatureCheck => ({ ok: false, reason, message });
const bytes = (b: RawBody) => (typeof b === "string" ? Buffer.from(b, "utf8") : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const single = (h: HeaderValue): string | undefined => {
  if (Array.isArray(h)) return h.length === 1 ? h[0] : undefined;
  return h ?? undefined;
};

/** Constant-time equality of two strings of any length (compares SHA-256 digests). */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb) && Buffer.byteLength(a) === Buffer.byteLength(b);
}

/** The `X-Hub-Signature-256` value GitHub sends for `rawBody` (for tests and replays). */
export function signGithubBody(rawBody: RawBody, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(bytes(rawBody)).digest("hex")}`;
}

/**
 * Verifies GitHub's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>` in constant
 * time. `rawBody` must be the exact bytes received (verify before JSON parsing). The legacy SHA-1
 * `X-Hub-Signature` is not accepted.
 */
export function verifyGithubSignature(rawBody: RawBody, header: HeaderValue, secret: string): SignatureCheck {
  if (!secret) return fail("missing_secret", "no webhook secret is configured for this integration");
  const value = single(header)?.trim();
  if (!value) return fail("missing_header", "X-Hub-Signature-256 header is missing");
  const hex = /^sha256=([0-9a-fA-F]{64})$/.exec(value)?.[1];
  if (hex === undefined) return fail("malformed_header", "X-Hub-Signature-256 must be sha256=<64 hex characters>");
  const expected = createHmac("sha256", secret).update(bytes(rawBody)).digest();
  const given = Buffer.from(hex, "hex");
  return timingSafeEqual(expected, given) ? { ok: true } : fail("mismatch", "X-Hub-Signature-256 does not match the body");
}

/**
 * Verifies GitLab's `X-Gitlab-Token`, the secret token sent verbatim (not an HMAC; it does not
 * cover the body). Constant-time; redact this header before storing request headers.
 */
export function verifyGitlabToken(header: HeaderValue, expectedToken: string): SignatureCheck {
  if (!expectedToken) return fail("missing_secret", "no secret token is configured for this integration");
  const value = single(header);
  if (value === undefined || value === "") return fail("missing_header", "X-Gitlab-Token header is missing");
  return safeEqual(value, expectedToken) ? { ok: true } : fail("mismatch", "X-Gitlab-Token does not match");
}

export interface StandardWebhookHeaders {
  webhookId: HeaderValue;
  webhookTimestamp: HeaderValue;
  webhookSignature: HeaderValue;
}

/** HMAC key of a Standard Webhooks secret: `whsec_<base64>` decodes; anything else is used as UTF-8. */
function signingKey(secret: string): Buffer {
  return secret.startsWith("whsec_") ? Buffer.from(secret.slice(6), "base64") : Buffer.from(secret, "utf8");
}

/** One `v1,<base64>` signature entry as a Standard Webhooks sender computes it (tests, replays). */
export function signStandardWebhook(rawBody: RawBody, webhookId: string, timestampSeconds: number, secret: string): string {
  const mac = createHmac("sha256", signingKey(secret)).update(`${webhookId}.${timestampSeconds}.`).update(bytes(rawBody)).digest("base64");
  return `v1,${mac}`;
}

/**
 * Verifies GitLab's signing-token webhooks (Standard Webhooks scheme, GitLab feature flag
 * `webhook_signing_token`): `webhook-signature` holds space-separated `v1,<base64>` entries, each
 * HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<raw body>` keyed with the base64-decoded part
 * of the `whsec_…` signing token. Rejects timestamps more than `toleranceSeconds` (default 300) from
 * `nowMs`. Store `webhook-id` to drop replays inside the tolerance window.
 */
export function verifyGitlabSignature(
  rawBody: RawBody,
  headers: StandardWebhookHeaders,
  signingToken: string,
  nowMs: number,
  toleranceSeconds = 300,
): SignatureCheck {
  if (!signingToken) return fail("missing_secret", "no signing token is configured for this integration");
  const id = single(headers.webhookId);
  const ts = single(headers.webhookTimestamp);
  const sig = single(headers.webhookSignature);
  if (!id) return fail("missing_header", "webhook-id header is missing");
  if (!ts) return fail("missing_header", "webhook-timestamp header is missing");
  if (!sig) return fail("missing_header", "webhook-signature header is missing");
  if (!/^\d{1,12}$/.test(ts)) return fail("malformed_header", "webhook-timestamp must be unix seconds");
  if (Math.abs(nowMs / 1000 - Number(ts)) > toleranceSeconds) return fail("stale_timestamp", `webhook-timestamp is more than ${toleranceSeconds}s from now`);
  const entries = sig.trim().split(/\s+/).map((e) => /^v1,([A-Za-z0-9+/]+={0,2})$/.exec(e)?.[1]).filter((b64): b64 is string => b64 !== undefined);
  if (entries.length === 0) return fail("malformed_header", "webhook-signature must contain v1,<base64> entries");
  const expected = createHmac("sha256", signingKey(signingToken)).update(`${id}.${ts}.`).update(bytes(rawBody)).digest();
  let ok = false;
  for (const b64 of entries) {
    const given = Buffer.from(b64, "base64");
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok ? { ok: true } : fail("mismatch", "webhook-signature does not match the body");
}
