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
  domain: ["test/dora.test.ts", "test/figure.test.ts", "test/calendar.test.ts", "test/policy-eval.test.ts"],
  integrations: ["test/exporter.test.ts", "test/webhooks.test.ts"],
  synth: ["test/state.test.ts"],
  // Loops over the zones itself (one PostgreSQL per instant), so it runs in the first zone only.
  db: ["test/time.test.ts"],
};
const DIRS: Record<string, string> = { domain: "packages/domain", integrations: "packages/integrations", synth: "packages/synth", db: "packages/db" };

const zones = (process.env.CLOCK_ZONES ?? ZONES.join(",")).split(",");
// The db suite starts an embedded PostgreSQL and switches zones inside; it runs in CLOCK_DB_ZONES.
const dbZones = (process.env.CLOCK_DB_ZONES ?? zones[0] ?? "UTC").split(",").filter(Boolean);

export default defineConfig({
  test: {
    projects: zones.flatMap((tz) =>
      Object.entries(SUITES)
        .filter(([ws]) => ws !== "db" || dbZones.includes(tz))
        .map(([ws, include]) => ({
          test: {
            name: `${ws} ${tz}`,
            root: `${root}${DIRS[ws]}`,
            include,
            env: { TZ: tz },
            setupFiles: [setup],
            testTimeout: 60_000,
            hookTimeout: 120_000,
            pool: "forks" as const,
            // Files of a project share a fork (and its module cache): the matrix pays imports once per zone.
            isolate: ws === "db",
          },
        })),
    ),
  },
});
