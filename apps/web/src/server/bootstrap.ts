import "server-only";
import { encryptPlainReceiverSecrets, ensureUser, receiverSecretValues, redactStoredRevisions, reencryptStoredSecrets } from "@burnrate/db";
import { env } from "~/lib/env";
import { secretKeys } from "./crypto";
import { db } from "./db";

/**
 * A fresh installation has no users, and with login on nobody could sign in. When
 * BURNRATE_ADMIN_EMAIL and BURNRATE_ADMIN_PASSWORD are set and no user exists, create that
 * administrator; otherwise say what to do.
 */
export async function bootstrapAdmin(): Promise<void> {
  const e = env();
  if (e.BURNRATE_AUTH === "off") return;
  if ((await db().user.count()) > 0) return;
  if (e.BURNRATE_ADMIN_EMAIL && e.BURNRATE_ADMIN_PASSWORD) {
    await ensureUser(db(), { email: e.BURNRATE_ADMIN_EMAIL.toLowerCase(), name: "Administrator", password: e.BURNRATE_ADMIN_PASSWORD, isAdmin: true });
    console.log(`[burnrate] created the first administrator ${e.BURNRATE_ADMIN_EMAIL}`);
  } else {
    console.warn("[burnrate] no users exist: set BURNRATE_ADMIN_EMAIL and BURNRATE_ADMIN_PASSWORD and restart to create the first administrator");
  }
}

/**
 * At start: receiver secrets still in plain config (seeded demo data, older versions) are
 * encrypted; values under BURNRATE_SECRET_KEY_PREVIOUS are re-encrypted under BURNRATE_SECRET_KEY;
 * Alertmanager revisions stored with secret values are redacted. Each step is idempotent.
 */
export async function secureStoredSecrets(): Promise<void> {
  if (!env().BURNRATE_SECRET_KEY) {
    console.warn("[burnrate] BURNRATE_SECRET_KEY is not set: secrets cannot be stored, and the Alertmanager webhook refuses every call");
    return;
  }
  const keys = secretKeys();
  const moved = await encryptPlainReceiverSecrets(db(), keys);
  if (moved) console.log(`[burnrate] encrypted the secrets of ${moved} alert receiver(s) that were stored in plain text`);
  const r = await reencryptStoredSecrets(db(), keys);
  if (r.reencrypted) console.log(`[burnrate] re-encrypted ${r.reencrypted} secret(s) under the new BURNRATE_SECRET_KEY`);
  if (r.unreadable.length) console.error(`[burnrate] cannot decrypt ${r.unreadable.join(", ")} with BURNRATE_SECRET_KEY${keys.previous ? " nor BURNRATE_SECRET_KEY_PREVIOUS" : " (set the old key as BURNRATE_SECRET_KEY_PREVIOUS)"}`);
  else if (keys.previous) console.log("[burnrate] every secret is under the current BURNRATE_SECRET_KEY: BURNRATE_SECRET_KEY_PREVIOUS can be removed");
  const redacted = await redactStoredRevisions(db(), await receiverSecretValues(db(), keys).catch(() => ({})));
  if (redacted) console.log(`[burnrate] removed receiver secrets from ${redacted} stored Alertmanager revision(s)`);
}
