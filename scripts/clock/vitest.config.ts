// Vitest configuration of the clock matrix (scripts/clock-matrix.mjs): the time-touching suites of
// every workspace that needs no Prometheus, Alertmanager or browser, once per time zone, in one
// Vitest process per instant. The instant comes from faketime around the process; the zone of each
// project from its `env.TZ` (Node re-reads TZ when it is assigned), checked by the setup file.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("../..", import.meta.url));
const setup = fileURLToPath(new URL("./setup.ts", import.meta.url));
export const ZONES = ["UTC", "America/Los_Angeles", "Australia/Lord_Howe"];

/** Test files that read dates, windows, months, DORA buckets, reports, tokens or expiry. */
export const SUITES: Record<string, string[]> = {
  domain: ["test/dora.test.ts", "test/figure.test.ts", "test/calendar.test.ts", "test/policy-eval.test.ts", "test/expiry.test.ts"],
  integrations: ["test/exporter.test.ts", "test/webhooks.test.ts"],
  synth: ["test/state.test.ts"],
  // The app's pure server-side functions (report periods, through its `~` alias below).
  web: ["test/report-period.test.ts"],
  // Loops over the zones itself (one PostgreSQL per instant), so it runs in the first zone only.
  db: ["test/time.test.ts"],
};
const DIRS: Record<string, string> = { domain: "packages/domain", integrations: "packages/integrations", synth: "packages/synth", db: "packages/db", web: "apps/web" };

const zones = (process.env.CLOCK_ZONES ?? ZONES.join(",")).split(",");
// The db suite starts an embedded PostgreSQL and switches zones inside; it runs in CLOCK_DB_ZONES.
const dbZones = (process.env.CLOCK_DB_ZONES ?? zones[0] ?? "UTC").split(",").filter(Boolean);

const files = (ws: string) => (SUITES[ws] ?? []).map((f) => `${DIRS[ws]}/${f}`);
const common = { root, env: {}, setupFiles: [setup], testTimeout: 60_000, hookTimeout: 120_000, pool: "forks" as const };
// apps/web/vitest.config.ts resolves these the same way (only the app imports "~/…" or server-only).
const webResolve = {
  alias: {
    "~": fileURLToPath(new URL("../../apps/web/src", import.meta.url)),
    "server-only": fileURLToPath(new URL("../../node_modules/server-only/empty.js", import.meta.url)),
  },
};

export default defineConfig({
  test: {
    projects: [
      // One project per zone for the pure suites: its files share forks and their module cache, so
      // the matrix pays the imports once per zone, not once per workspace and zone.
      ...zones.map((tz) => ({
        resolve: webResolve,
        test: { ...common, name: `pure ${tz}`, include: Object.keys(SUITES).filter((ws) => ws !== "db").flatMap(files), env: { TZ: tz }, isolate: false },
      })),
      ...dbZones.map((tz) => ({ test: { ...common, name: `db ${tz}`, include: files("db"), env: { TZ: tz } } })),
    ],
  },
});
