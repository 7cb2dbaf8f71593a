/**
 * Time through the database: instants written and read back through PostgreSQL (timestamptz) and
 * Prisma are the same instants in every process time zone, and the DORA figures computed from them
 * do not depend on the zone. The clock matrix runs this file at chosen instants (faketime reaches
 * PostgreSQL too, so `now()` in SQL is the matrix's instant).
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeDora, doraWindow } from "@burnrate/domain";
import { createDb, type Db } from "../src/client";
import { loadDoraRows } from "../src/delivery";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../src/embedded";
import { migrateDeploy } from "../src/migrate";

const DAY = 86_400_000;
const ZONES = ["UTC", "America/Los_Angeles", "Australia/Lord_Howe", "Asia/Kathmandu"];
let pgServer: EmbeddedDatabase;
let dir: string;
let db: Db;
const zoneBefore = process.env.TZ;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "burnrate-db-time-"));
  chmodSync(dir, 0o755);
  pgServer = await startEmbeddedPostgres({ dataDir: join(dir, "pg") });
  await migrateDeploy(pgServer.url);
  db = createDb(pgServer.url);
});

afterAll(async () => {
  process.env.TZ = zoneBefore;
  await db?.$disconnect();
  await pgServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("instants through PostgreSQL", () => {
  it("PostgreSQL's clock and the process's agree (both are the instant under test)", async () => {
    const rows = await db.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
    expect(Math.abs((rows[0]?.now.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it("deployments at day, month and DST edges read back as the same instants and the same DORA figures in every zone", async () => {
    const now = Date.now();
    const { from, to } = doraWindow(now, 7);
    const team = await db.team.create({ data: { slug: "t-time", name: "Time" } });
    const svc = await db.service.create({ data: { slug: "s-time", name: "Time", teamId: team.id } });
    // Just inside and just outside each edge of the window, midnight of each day, and between `to` and `now`.
    const instants = [from - 1, from, from + 1, to - 1, to, to + Math.floor((now - to) / 2), ...Array.from({ length: 7 }, (_, d) => from + d * DAY + 30 * 60_000)];
    for (const [i, t] of instants.entries()) {
      await db.deployment.create({ data: { serviceId: svc.id, environment: "production", sha: `s${i}`, result: "success", kind: "planned", finishedAt: new Date(t), commits: [{ sha: `c${i}`, committedAt: new Date(t - 3_600_000).toISOString() }], source: "test" } });
    }
    const figures = [];
    for (const zone of ZONES) {
      process.env.TZ = zone;
      const rows = await loadDoraRows(db);
      expect(rows.deployments.map((d) => new Date(d.finishedAt).getTime()).sort((a, b) => a - b)).toEqual([...instants].sort((a, b) => a - b));
      figures.push(computeDora(rows.deployments, rows.incidents, { from, to, teams: rows.teams }).overall);
    }
    for (const f of figures) expect(f).toEqual(figures[0]);
    // from, from + 1, to − 1 and the seven 00:30 deploys are inside [from, to); from − 1, to and the one after it are not
    expect(figures[0]!.deployments.total).toBe(10);
    expect(figures[0]!.deploymentFrequency.deployDays).toBe(7);
  });
});
