import "server-only";
import { ensureUser } from "@burnrate/db";
import { env } from "~/lib/env";
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
