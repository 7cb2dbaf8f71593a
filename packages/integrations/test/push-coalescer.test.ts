import { describe, expect, it } from "vitest";
import { ReloadCoalescer } from "../src/push";
import { configDifferences, parseDurationMs } from "../src/push";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ReloadCoalescer", () => {
  it("runs one reload for requests within the window", async () => {
    let n = 0;
    const c = new ReloadCoalescer(async () => {
      n++;
      await sleep(10);
    }, 20);
    await Promise.all([c.request(), c.request(), c.request()]);
    expect(n).toBe(1);
  });

  it("schedules exactly one more reload for requests made during a running reload", async () => {
    const starts: number[] = [];
    const c = new ReloadCoalescer(async () => {
      starts.push(Date.now());
      await sleep(60);
    }, 5);
    const first = c.request();
    await sleep(20); // first reload is running now
    const t = Date.now();
    const late = [c.request(), c.request()];
    await Promise.all([first, ...late]);
    expect(starts.length).toBe(2);
    expect(starts[1]!).toBeGreaterThanOrEqual(t);
  });

  it("rejects every waiter of a failed reload and recovers afterwards", async () => {
    let fail = true;
    const c = new ReloadCoalescer(async () => {
      if (fail) throw new Error("HTTP 500");
    }, 5);
    const rs = await Promise.allSettled([c.request(), c.request()]);
    expect(rs.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    await expect(c.request()).resolves.toBeUndefined();
  });
});

describe("Alertmanager config equivalence", () => {
  it("parses durations", () => {
    expect(parseDurationMs("1h")).toBe(3_600_000);
    expect(parseDurationMs("60m")).toBe(3_600_000);
    expect(parseDurationMs("1h30m")).toBe(5_400_000);
    expect(parseDurationMs("abc")).toBeUndefined();
  });

  it("treats defaults, secrets, durations and matcher quoting as equivalent", () => {
    const desired = {
      route: { receiver: "a", group_wait: "60s", routes: [{ matchers: ["severity=page", 'team=~"x|y"'], receiver: "a" }] },
      receivers: [{ name: "a", slack_configs: [{ api_url: "https://hooks.slack.com/x", channel: "#c" }] }],
    };
    const loaded = {
      global: { resolve_timeout: "5m" },
      route: { receiver: "a", continue: false, group_wait: "1m", routes: [{ receiver: "a", matchers: ['severity="page"', 'team=~"x|y"'], continue: false }] },
      receivers: [{ name: "a", slack_configs: [{ api_url: "<secret>", channel: "#c", send_resolved: false }] }],
      templates: [],
    };
    expect(configDifferences(desired, loaded)).toEqual([]);
  });

  it("reports real differences with a path", () => {
    const desired = { route: { receiver: "a", routes: [{ receiver: "b" }] }, receivers: [{ name: "a" }, { name: "b" }] };
    const loaded = { route: { receiver: "a", routes: [{ receiver: "c" }] }, receivers: [{ name: "a" }] };
    const d = configDifferences(desired, loaded);
    expect(d.map((x) => x.path)).toEqual(["route.routes[0].receiver", "receivers"]);
  });
});
