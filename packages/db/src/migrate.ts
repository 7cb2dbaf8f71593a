import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";

/**
 * Offline migration runner, compatible with `prisma migrate deploy`.
 *
 * Prisma's `migrate deploy` needs a native schema engine that is downloaded at install time, which
 * fails on machines without internet. Applying committed migrations needs no engine at all: this
 * runner applies `prisma/migrations/<name>/migration.sql` in name order, each in its own
 * transaction, and records them in Prisma's own `_prisma_migrations` table with the same sha256
 * checksum, so the two tools can be used interchangeably on the same database.
 */

export const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export type Migration = { name: string; sql: string; checksum: string };

export function defaultMigrationsDir(): string {
  return join(import.meta.dirname, "../../../prisma/migrations");
}

export function readMigrations(dir = defaultMigrationsDir()): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export type MigrationStatus = { applied: string[]; pending: string[]; edited: string[]; failed: string[] };

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function migrationStatus(url: string, dir = defaultMigrationsDir()): Promise<MigrationStatus> {
  const migrations = readMigrations(dir);
  return withClient(url, async (c) => {
    await c.query(MIGRATIONS_TABLE_DDL);
    const rows = (await c.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    )).rows;
    const done = new Map(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => [r.migration_name, r.checksum]));
    return {
      applied: migrations.filter((m) => done.has(m.name)).map((m) => m.name),
      pending: migrations.filter((m) => !done.has(m.name)).map((m) => m.name),
      edited: migrations.filter((m) => done.has(m.name) && done.get(m.name) !== m.checksum).map((m) => m.name),
      failed: rows.filter((r) => !r.finished_at && !r.rolled_back_at).map((r) => r.migration_name),
    };
  });
}

/**
 * Applies pending migrations. A Postgres advisory lock serialises concurrent runners (two app
 * replicas starting at once). Each migration runs in a transaction, so a failing migration leaves
 * no partial schema behind and is reported with its name.
 */
export async function migrateDeploy(url: string, dir = defaultMigrationsDir()): Promise<{ applied: string[] }> {
  const migrations = readMigrations(dir);
  return withClient(url, async (c) => {
    await c.query("SELECT pg_advisory_lock(72707369)");
    try {
      await c.query(MIGRATIONS_TABLE_DDL);
      const rows = (await c.query<{ migration_name: string; checksum: string }>(
        `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      )).rows;
      const done = new Map(rows.map((r) => [r.migration_name, r.checksum]));
      const applied: string[] = [];
      for (const m of migrations) {
        const prev = done.get(m.name);
        if (prev !== undefined) {
          if (prev !== m.checksum) throw new Error(`migration ${m.name} was edited after it was applied (checksum mismatch)`);
          continue;
        }
        await c.query("BEGIN");
        try {
          await c.query(m.sql);
          await c.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`,
            [randomUUID(), m.checksum, m.name],
          );
          await c.query("COMMIT");
        } catch (err) {
          await c.query("ROLLBACK");
          throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(m.name);
      }
      return { applied };
    } finally {
      await c.query("SELECT pg_advisory_unlock(72707369)");
    }
  });
}
