#!/usr/bin/env node
// Clock matrix: the time-touching suites (scripts/clock/vitest.config.ts) at instants where
// calendars turn, each in UTC, America/Los_Angeles and Australia/Lord_Howe, under faketime.
// One Vitest process per instant (its projects are the zones), two at a time, one line per instant.
//
//   node scripts/clock-matrix.mjs            the whole matrix
//   node scripts/clock-matrix.mjs --list     print the instants only
//   CLOCK_YEAR=2032 node scripts/clock-matrix.mjs
//
// How faketime is used (measured with node 20 and Debian's faketime 0.9.10): `faketime '<t>' cmd`
// preloads libfaketime and sets FAKETIME to an offset ("+N" seconds), so the clock starts at <t>
// and keeps ticking; Date.now(), new Date() and the clocks of every child process (Vitest forks,
// embedded PostgreSQL) move together, with no FAKETIME_DONT_RESET needed. faketime parses <t> in
// $TZ, so it runs under TZ=UTC and the zone is given to the test process afterwards. Go binaries
// (Prometheus, Alertmanager) read the clock through the vDSO and ignore faketime, which is why the
// suites that need them are not in the matrix.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ZONES = ["UTC", "America/Los_Angeles", "Australia/Lord_Howe"];

/** First leap year at or after `from` (the matrix needs a 29 February). */
function leapYearFrom(from) {
  let y = from;
  while (!(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) y++;
  return y;
}

/** UTC offset of `zone` at `ms`, in minutes (from Intl, so from the tz database node ships). */
function offsetMinutes(zone, ms) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(ms));
  const get = (t) => Number(parts.find((p) => p.type === t).value);
  return (Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - Math.floor(ms / 1000) * 1000) / 60_000;
}

/** The instant (ms) at which `zone` changes its UTC offset within [from, to), by bisection. */
function transition(zone, from, to) {
  const before = offsetMinutes(zone, from);
  if (offsetMinutes(zone, to) === before) throw new Error(`${zone}: no offset change between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`);
  let lo = from;
  let hi = to;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (offsetMinutes(zone, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Day of month of the n-th (1-based; -1 = last) `weekday` (0 = Sunday) of a month. */
function nthWeekday(year, month, weekday, n) {
  if (n === -1) {
    const last = new Date(Date.UTC(year, month + 1, 0));
    return last.getUTCDate() - ((last.getUTCDay() - weekday + 7) % 7);
  }
  const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return 1 + ((weekday - first + 7) % 7) + (n - 1) * 7;
}

export function instants(year) {
  const at = (m, d, h, min, s) => Date.UTC(year, m, d, h, min, s);
  // DST changes found in the tz database, checked against the rules the instants are named after.
  const eu = transition("Europe/Berlin", at(2, nthWeekday(year, 2, 0, -1), 0, 0, 0), at(2, nthWeekday(year, 2, 0, -1), 2, 0, 0));
  const us = transition("America/Los_Angeles", at(2, nthWeekday(year, 2, 0, 2), 0, 0, 0), at(2, nthWeekday(year, 2, 0, 2), 12, 0, 0));
  // Lord Howe leaves daylight time (+11 → +10:30) at 02:00 local on the first Sunday of April,
  // which is 15:00 UTC on the Saturday before.
  const lhSunday = nthWeekday(year, 3, 0, 1);
  const lh = transition("Australia/Lord_Howe", at(3, lhSunday - 1, 0, 0, 0), at(3, lhSunday, 0, 0, 0));
  if (eu !== at(2, nthWeekday(year, 2, 0, -1), 1, 0, 0)) throw new Error(`Europe DST change at ${new Date(eu).toISOString()}, expected 01:00Z on the last Sunday of March`);
  if (us !== at(2, nthWeekday(year, 2, 0, 2), 10, 0, 0)) throw new Error(`US DST change at ${new Date(us).toISOString()}, expected 10:00Z on the second Sunday of March`);
  if (lh !== at(3, lhSunday - 1, 15, 0, 0)) throw new Error(`Lord Howe DST change at ${new Date(lh).toISOString()}, expected 15:00Z the day before the first Sunday of April`);
  return [
    { name: "ordinary day, just after midnight", ms: at(5, 15, 0, 0, 30) },
    { name: "ordinary day, 04:30", ms: at(5, 15, 4, 30, 0) },
    { name: "end of a 31-day month", ms: at(0, 31, 23, 59, 30) },
    { name: "31 December", ms: at(11, 31, 23, 59, 30) },
    { name: "28 February of a leap year", ms: at(1, 28, 23, 59, 30) },
    { name: "29 February, noon", ms: at(1, 29, 12, 0, 0) },
    { name: "30 s before the European DST change", ms: eu - 30_000 },
    { name: "30 s before the US DST change", ms: us - 30_000 },
    { name: "30 s before the Lord Howe DST change", ms: lh - 30_000 },
  ];
}

const fmt = (ms) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);

function runInstant(inst) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const args = [fmt(inst.ms), "npx", "vitest", "run", "--config", "scripts/clock/vitest.config.ts", "--reporter=dot"];
    const env = { ...process.env, TZ: "UTC", CLOCK_INSTANT_MS: String(inst.ms), CLOCK_ZONES: ZONES.join(","), NO_COLOR: "1", FORCE_COLOR: "0" };
    const child = spawn("faketime", args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => {
      const tests = /Tests\s+(\d+) passed/.exec(out)?.[1];
      const files = /Test Files\s+(\d+) passed/.exec(out)?.[1];
      resolve({ inst, ok: code === 0, secs: (Date.now() - t0) / 1000, tests, files, out });
    });
  });
}

async function main() {
  const year = Number(process.env.CLOCK_YEAR) || leapYearFrom(new Date().getUTCFullYear());
  const list = instants(year);
  if (process.argv.includes("--list")) {
    for (const i of list) console.log(`${new Date(i.ms).toISOString()}  ${i.name}`);
    return;
  }
  if (!existsSync("/usr/bin/faketime") && spawnSync("faketime", ["--version"]).error) {
    console.error("✗ faketime is missing; install the Debian package faketime (npm test does)");
    process.exit(1);
  }
  const started = Date.now();
  console.log(`clock matrix ${year}: ${list.length} instants × ${ZONES.join(", ")}, 2 at a time`);
  const queue = [...list];
  const failed = [];
  const worker = async () => {
    for (let inst = queue.shift(); inst; inst = queue.shift()) {
      const r = await runInstant(inst);
      const line = `${r.ok ? "✓" : "✗"} ${new Date(inst.ms).toISOString()}  ${inst.name.padEnd(38)} ${r.ok ? `${r.files} files, ${r.tests} tests` : "FAILED"}  ${r.secs.toFixed(1)} s`;
      console.log(line);
      if (!r.ok) failed.push(r);
    }
  };
  await Promise.all([worker(), worker()]);
  for (const r of failed) console.log(`\n━━ ${new Date(r.inst.ms).toISOString()} (${r.inst.name})\n${r.out.split("\n").slice(-80).join("\n")}`);
  console.log(`clock matrix: ${list.length - failed.length}/${list.length} instants passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (failed.length) process.exit(1);
}

await main();
