import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { diffMigrationsToSchema } from "./diff";
import { startEmbeddedPostgres } from "./embedded";
import { defaultMigrationsDir, migrateDeploy, migrationStatus, readMigrations } from "./migrate";

/** Drops and recreates `<db>_shadow` next to the main database and returns its URL. */
async function recreateShadowDatabase(url: string): Promise<string> {
  const u = new URL(url);
  const shadowName = `${u.pathname.slice(1)}_shadow`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${shadowName}"`);
    await admin.query(`CREATE DATABASE "${shadowName}"`);
  } finally {
    await admin.end();
  }
  u.pathname = `/${shadowName}`;
  return u.toString();
}

/**
 * db CLI: `deploy` applies migrations, `status` lists them, `diff <name>` writes a new migration
 * from the difference between the migrated database and prisma/schema.prisma, `seed` loads demo data.
 * Without DATABASE_URL it uses the embedded PostgreSQL under .data/postgres.
 */
async function main() {
  const [cmd, arg] = process.argv.slice(2);
  let url = process.env.DATABASE_URL;
  let stop: (() => Promise<void>) | undefined;
  if (!url) {
    const db = await startEmbeddedPostgres({ dataDir: join(import.meta.dirname, "../../../.data/postgres") });
    url = db.url;
    stop = db.stop;
  }
  try {
    if (cmd === "deploy") {
      const { applied } = await migrateDeploy(url);
      console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
    } else if (cmd === "status") {
      console.log(JSON.stringify(await migrationStatus(url), null, 2));
    } else if (cmd === "diff") {
      if (!arg || !/^[a-z0-9_]+$/.test(arg)) throw new Error("usage: db:diff <snake_case_name>");
      const shadowUrl = await recreateShadowDatabase(url);
      const sql = await diffMigrationsToSchema({
        shadowUrl,
        schemaPath: join(import.meta.dirname, "../../../prisma/schema.prisma"),
        migrations: readMigrations(),
        migrationsDir: defaultMigrationsDir(),
      });
      if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
        console.log("schema and migrations are in sync; nothing to write");
      } else {
        const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
        const dir = join(defaultMigrationsDir(), `${stamp}_${arg}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "migration.sql"), sql);
        console.log(`wrote ${dir}/migration.sql`);
      }
    } else if (cmd === "seed") {
      const { seedDemo } = await import("./seed");
      const { createDb } = await import("./client");
      const db = createDb(url);
      try {
        console.log(JSON.stringify(await seedDemo(db)));
      } finally {
        await db.$disconnect();
      }
    } else {
      throw new Error("usage: cli.ts deploy|status|diff <name>|seed");
    }
  } finally {
    await stop?.();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
