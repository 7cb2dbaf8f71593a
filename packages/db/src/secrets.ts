import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { RECEIVER_SECRET_FIELDS, redactAlertmanagerSecrets, scrubSecrets, receiverSecretRef } from "@burnrate/domain";
import type { Db } from "./client";

/**
 * Secrets at rest (receiver URLs and keys, push-target tokens, webhook integration secrets):
 * AES-256-GCM with a key derived from BURNRATE_SECRET_KEY, format v1.<iv>.<tag>.<ciphertext>
 * (base64url). Rotation: set the new key as BURNRATE_SECRET_KEY and the old one as
 * BURNRATE_SECRET_KEY_PREVIOUS; values under either key are readable, and
 * reencryptStoredSecrets() (run at start) rewrites every value under the new key, after which the
 * previous key can be removed.
 */
export type SecretKeys = { current: string; previous?: string };

function derive(k: string): Buffer {
  if (k.length < 16) throw new Error("BURNRATE_SECRET_KEY must be set (at least 16 characters) to store secrets");
  return createHash("sha256").update(`burnrate:v1:${k}`).digest();
}

export function encryptWithKey(plain: string, key: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", derive(key), iv);
  const ct = Buffer.concat([c.update(plain, "utf8"), c.final()]);
  return ["v1", iv.toString("base64url"), c.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

function decryptOne(blob: string, key: string): string {
  const [v, iv, tag, ct] = blob.split(".");
  if (v !== "v1" || !iv || !tag || ct === undefined) throw new Error("unsupported secret format");
  const d = createDecipheriv("aes-256-gcm", derive(key), Buffer.from(iv, "base64url"));
  d.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([d.update(Buffer.from(ct, "base64url")), d.final()]).toString("utf8");
}

/** Decrypts with the current key, else the previous one (`stale`: re-encrypt it). */
export function decryptWithKeys(blob: string, keys: SecretKeys): { plain: string; stale: boolean } {
  try {
    return { plain: decryptOne(blob, keys.current), stale: false };
  } catch (err) {
    if (!keys.previous) throw new Error("a stored secret cannot be decrypted with BURNRATE_SECRET_KEY (was the key changed? set the old one as BURNRATE_SECRET_KEY_PREVIOUS)", { cause: err });
    try {
      return { plain: decryptOne(blob, keys.previous), stale: true };
    } catch {
      throw new Error("a stored secret cannot be decrypted with BURNRATE_SECRET_KEY nor BURNRATE_SECRET_KEY_PREVIOUS", { cause: err });
    }
  }
}

/** Rewrites every stored secret that is under the previous key with the current key. */
export async function reencryptStoredSecrets(db: Db, keys: SecretKeys): Promise<{ reencrypted: number; unreadable: string[] }> {
  let reencrypted = 0;
  const unreadable: string[] = [];
  const redo = (blob: string, what: string): string | null => {
    try {
      const r = decryptWithKeys(blob, keys);
      return r.stale ? encryptWithKey(r.plain, keys.current) : null;
    } catch {
      unreadable.push(what);
      return null;
    }
  };
  for (const r of await db.alertReceiver.findMany({ where: { secretCiphertext: { not: null } }, select: { id: true, slug: true, secretCiphertext: true } })) {
    const next = redo(r.secretCiphertext ?? "", `receiver ${r.slug}`);
    if (next) await db.alertReceiver.updateMany({ where: { id: r.id, secretCiphertext: r.secretCiphertext }, data: { secretCiphertext: next } }).then((x) => (reencrypted += x.count));
  }
  for (const t of await db.pushTarget.findMany({ where: { tokenCiphertext: { not: null } }, select: { id: true, name: true, tokenCiphertext: true } })) {
    const next = redo(t.tokenCiphertext ?? "", `push target ${t.name}`);
    if (next) await db.pushTarget.updateMany({ where: { id: t.id, tokenCiphertext: t.tokenCiphertext }, data: { tokenCiphertext: next } }).then((x) => (reencrypted += x.count));
  }
  for (const w of await db.webhookIntegration.findMany({ select: { id: true, name: true, secretCiphertext: true } })) {
    const next = redo(w.secretCiphertext, `webhook integration ${w.name}`);
    if (next) await db.webhookIntegration.updateMany({ where: { id: w.id, secretCiphertext: w.secretCiphertext }, data: { secretCiphertext: next } }).then((x) => (reencrypted += x.count));
  }
  return { reencrypted, unreadable };
}

/**
 * Receivers whose plain `config` still holds a secret field (seeded demo data, rows written by
 * hand or by an older version) get it moved into the encrypted part.
 */
export async function encryptPlainReceiverSecrets(db: Db, keys: SecretKeys): Promise<number> {
  let moved = 0;
  for (const r of await db.alertReceiver.findMany()) {
    const config = (r.config ?? {}) as Record<string, unknown>;
    const fields: readonly string[] = RECEIVER_SECRET_FIELDS[r.kind as keyof typeof RECEIVER_SECRET_FIELDS] ?? [];
    const plain = Object.fromEntries(fields.filter((f) => config[f] !== undefined).map((f) => [f, config[f]]));
    if (Object.keys(plain).length === 0) continue;
    const stored = r.secretCiphertext ? (JSON.parse(decryptWithKeys(r.secretCiphertext, keys).plain) as Record<string, unknown>) : {};
    const rest = Object.fromEntries(Object.entries(config).filter(([k]) => !fields.includes(k)));
    await db.alertReceiver.update({ where: { id: r.id }, data: { config: rest as object, secretCiphertext: encryptWithKey(JSON.stringify({ ...plain, ...stored }), keys.current) } });
    moved++;
  }
  return moved;
}

/** Every receiver secret by reference (`receiver/<slug>/<field>`), decrypted. */
export async function receiverSecretValues(db: Db, keys: SecretKeys): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of await db.alertReceiver.findMany({ where: { secretCiphertext: { not: null } }, select: { slug: true, secretCiphertext: true } })) {
    const secret = JSON.parse(decryptWithKeys(r.secretCiphertext ?? "", keys).plain) as Record<string, unknown>;
    for (const [k, v] of Object.entries(secret)) if (typeof v === "string" && v) out[receiverSecretRef(r.slug, k)] = v;
  }
  return out;
}

/**
 * Revisions of Alertmanager targets stored before secrets were kept out of them: their
 * configuration files get placeholders instead of secret values, and their error texts are
 * scrubbed of known secret values. Marked with `secretsRedacted`, so each is rewritten once.
 */
export async function redactStoredRevisions(db: Db, knownSecrets: Record<string, string>): Promise<number> {
  const rows = await db.$queryRaw<{ id: string }[]>`SELECT r.id FROM "Revision" r JOIN "PushTarget" t ON t.id = r."targetId" WHERE t.kind = 'alertmanager' AND NOT (r.artifacts ? 'secretsRedacted')`;
  let n = 0;
  for (const { id } of rows) {
    const rev = await db.revision.findUnique({ where: { id } });
    if (!rev) continue;
    const files = ((rev.artifacts as { files?: { path: string; content: string }[] } | null)?.files ?? []).map((f) => ({ path: f.path, content: scrubSecrets(redactAlertmanagerSecrets(f.content).text, knownSecrets) }));
    await db.revision.update({ where: { id }, data: { artifacts: { files, secretsRedacted: true }, error: scrubSecrets(rev.error, knownSecrets), reason: scrubSecrets(rev.reason, knownSecrets) } });
    n++;
  }
  for (const t of await db.pushTarget.findMany({ where: { kind: "alertmanager" }, select: { id: true, statusMessage: true } })) {
    const msg = scrubSecrets(t.statusMessage, knownSecrets);
    if (msg !== t.statusMessage) await db.pushTarget.update({ where: { id: t.id }, data: { statusMessage: msg } });
  }
  return n;
}
