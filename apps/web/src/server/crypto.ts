import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { env } from "~/lib/env";

/**
 * Secrets at rest (target tokens, receiver keys) are AES-256-GCM encrypted with a key derived from
 * BURNRATE_SECRET_KEY. Format: v1.<iv>.<tag>.<ciphertext> (base64url). Plaintext never leaves the
 * server: API responses only say whether a secret is set.
 */
function key(): Buffer {
  const k = env().BURNRATE_SECRET_KEY;
  if (!k || k.length < 16) throw new Error("BURNRATE_SECRET_KEY must be set (at least 16 characters) to store secrets");
  return createHash("sha256").update(`burnrate:v1:${k}`).digest();
}

export function encryptSecret(plain: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key(), iv);
  const ct = Buffer.concat([c.update(plain, "utf8"), c.final()]);
  return ["v1", iv.toString("base64url"), c.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

export function decryptSecret(blob: string): string {
  const [v, iv, tag, ct] = blob.split(".");
  if (v !== "v1" || !iv || !tag || ct === undefined) throw new Error("unsupported secret format");
  const d = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  d.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([d.update(Buffer.from(ct, "base64url")), d.final()]).toString("utf8");
}
