import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../src/client";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../src/embedded";
import { defaultMigrationsDir, migrateDeploy, migrationStatus, readMigrations } from "../src/migrate";
import { seedDemo } from "../src/seed";

let pgServer: EmbeddedDatabase;
let dir: string;
let db: Db;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "burnrate-db-test-"));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user and must enter the dir
  pgServer = await startEmbeddedPostgres({ dataDir: join(dir, "pg") });
  db = createDb(pgServer.url);
});

afterAll(async () => {
  await db?.$disconnect();
  await pgServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function tables(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.tablename);
  } finally {
    await c.end();
  }
}

describe("offline migrations on a real PostgreSQL", () => {
  it("a fresh database gets every committed migration and the whole schema", async () => {
    const { applied } = await migrateDeploy(pgServer.url);
    expect(applied).toEqual(readMigrations().map((m) => m.name));
    expect(applied.length).toBeGreaterThan(0);
    const t = await tables(pgServer.url);
    for (const name of ["Team", "Service", "Sli", "Slo", "ErrorBudgetPolicy", "AlertReceiver", "PushTarget", "Revision", "Deployment", "Incident", "AuditEvent", "_prisma_migrations"]) expect(t).toContain(name);
  });

  it("running deploy again applies nothing and status is clean", async () => {
    expect((await migrateDeploy(pgServer.url)).applied).toEqual([]);
    const st = await migrationStatus(pgServer.url);
    expect(st.pending).toEqual([]);
    expect(st.edited).toEqual([]);
    expect(st.failed).toEqual([]);
  });

  it("an applied migration that was edited afterwards is refused", async () => {
    const copy = join(dir, "migrations");
    cpSync(defaultMigrationsDir(), copy, { recursive: true });
    const first = readMigrations(copy)[0];
    if (!first) throw new Error("no migrations");
    writeFileSync(join(copy, first.name, "migration.sql"), `${first.sql}\n-- edited\n`);
    await expect(migrateDeploy(pgServer.url, copy)).rejects.toThrow(/edited after it was applied/);
    expect((await migrationStatus(pgServer.url, copy)).edited).toEqual([first.name]);
  });

  it("a failing migration is rolled back and reported by name, leaving no partial table", async () => {
    const copy = join(dir, "migrations-bad");
    cpSync(defaultMigrationsDir(), copy, { recursive: true });
    const name = "99990101000000_broken";
    mkdirSync(join(copy, name));
    writeFileSync(join(copy, name, "migration.sql"), 'CREATE TABLE "Half" (id int);\nSELECT no_such_function();\n');
    await expect(migrateDeploy(pgServer.url, copy)).rejects.toThrow(/migration 99990101000000_broken failed/);
    expect(await tables(pgServer.url)).not.toContain("Half");
  });
});

describe("demo data and constraints", () => {
  it("the demo seed loads teams, services and SLOs once and is idempotent", async () => {
    const first = await seedDemo(db);
    expect(first.created).toBe(true);
    expect(first.teams).toBeGreaterThanOrEqual(3);
    expect(first.services).toBeGreaterThanOrEqual(12);
    expect(first.slos).toBeGreaterThanOrEqual(12);
    expect(await db.slo.count()).toBe(first.slos);
    const second = await seedDemo(db);
    expect(second.created).toBe(false);
    expect(await db.slo.count()).toBe(first.slos);
  });

  it("slugs are unique (P2002) and a stale version updates nothing (optimistic locking)", async () => {
    const team = await db.team.findFirstOrThrow();
    await expect(db.team.create({ data: { slug: team.slug, name: "dup" } })).rejects.toMatchObject({ code: "P2002" });
    const ok = await db.team.updateMany({ where: { id: team.id, version: team.version }, data: { name: "Renamed", version: { increment: 1 } } });
    expect(ok.count).toBe(1);
    const stale = await db.team.updateMany({ where: { id: team.id, version: team.version }, data: { name: "Lost update" } });
    expect(stale.count).toBe(0);
    expect((await db.team.findUniqueOrThrow({ where: { id: team.id } })).name).toBe("Renamed");
  });

  it("a team that owns services cannot be deleted (restrict), so no SLO is orphaned", async () => {
    const svc = await db.service.findFirstOrThrow();
    await expect(db.team.delete({ where: { id: svc.teamId } })).rejects.toBeTruthy();
    expect(await db.service.count({ where: { teamId: svc.teamId } })).toBeGreaterThan(0);
  });

  it("the embedded server restarts on the same data dir and keeps the data", async () => {
    const before = await db.slo.count();
    await db.$disconnect();
    await pgServer.stop();
    pgServer = await startEmbeddedPostgres({ dataDir: join(dir, "pg") });
    db = createDb(pgServer.url);
    expect(await db.slo.count()).toBe(before);
  });
});
