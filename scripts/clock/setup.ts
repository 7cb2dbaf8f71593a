// Clock-matrix guard: each test file runs in the zone its project names, at the instant the matrix
// chose (faketime), so a suite that passes here has really been run at that instant and zone.
import { beforeAll } from "vitest";

beforeAll(() => {
  const want = process.env.TZ;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (want && zone !== want && !(want === "UTC" && zone === "Etc/UTC")) throw new Error(`clock matrix: expected time zone ${want}, the process runs in ${zone}`);
  const instant = Number(process.env.CLOCK_INSTANT_MS);
  if (Number.isFinite(instant) && Math.abs(Date.now() - instant) > 10 * 60_000) {
    throw new Error(`clock matrix: expected the clock near ${new Date(instant).toISOString()}, it reads ${new Date().toISOString()} (is faketime active?)`);
  }
});
