import "server-only";
import { decryptWithKeys, encryptWithKey, type SecretKeys } from "@burnrate/db";
import { createHmac } from "node:crypto";
import { env } from "~/lib/env";

/**
 * Secrets at rest (target tokens, receiver keys) are AES-256-GCM encrypted with a key derived from
 * BURNRATE_SECRET_KEY (packages/db/src/secrets.ts). During a key rotation the old key is given as
 * BURNRATE_SECRET_KEY_PREVIOUS; values are re-encrypted under the new key at start. Plaintext
 * never leaves the server: API responses only say whether a secret is set.
 */
export function secretKeys(): SecretKeys {
  const k = env().BURNRATE_SECRET_KEY;
  if (!k || k.length < 16) throw new Error("BURNRATE_SECRET_KEY must be set (at least 16 characters) to store secrets");
  const previous = env().BURNRATE_SECRET_KEY_PREVIOUS;
  return previous ? { current: k, previous } : { current: k };
}

export function encryptSecret(plain: string): string {
  return encryptWithKey(plain, secretKeys().current);
}

export function decryptSecret(blob: string): string {
  return decryptWithKeys(blob, secretKeys()).plain;
}

/**
 * The bearer token Alertmanager sends to Burnrate's webhook: BURNRATE_WEBHOOK_TOKEN, or else one
 * derived from BURNRATE_SECRET_KEY (same on every replica, nothing to store). Burnrate writes it
 * into Alertmanager's secrets directory and references it with credentials_file.
 */
export function webhookToken(): string | undefined {
  const e = env();
  if (e.BURNRATE_WEBHOOK_TOKEN) return e.BURNRATE_WEBHOOK_TOKEN;
  if (!e.BURNRATE_SECRET_KEY || e.BURNRATE_SECRET_KEY.length < 16) return undefined;
  return createHmac("sha256", e.BURNRATE_SECRET_KEY).update("burnrate:alertmanager-webhook-token").digest("base64url");
}
