import "server-only";
import { createDb, type Db } from "@burnrate/db";
import { env } from "~/lib/env";

const globalForDb = globalThis as unknown as { burnrateDb?: Db };

/** One Prisma client per server process (survives Next.js dev reloads). */
export function db(): Db {
  globalForDb.burnrateDb ??= createDb(env().DATABASE_URL);
  return globalForDb.burnrateDb;
}
