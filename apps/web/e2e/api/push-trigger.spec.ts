// A catalogue change is pushed by the change trigger about half a second after the edit, not only
// by the periodic reconciler (every BURNRATE_RECONCILE_INTERVAL_SECONDS, 30 s by default, 3 s here).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { api, env, expect, test, type List } from "../support/e2e";

type Revision = { id: string; createdAt: string; status: string; triggeredBy: string; reason: string; target: { name: string } };

const SLUG = "e2e-api-trigger";
const ruleFile = () => join(env.rulesDir, `slo-${SLUG}.yml`);
const fileText = () => {
  try {
    return readFileSync(ruleFile(), "utf8");
  } catch {
    return "";
  }
};

test.afterAll(async ({ request }) => {
  await api(request).delete(`/api/v1/slos/${SLUG}`);
});

test("an SLO edit is pushed to Prometheus by the catalogue-change trigger", async ({ request }) => {
  const c = api(request);
  // With a 3 s reconcile interval a periodic pass lands inside the 0.5 s debounce about one time in
  // six and pushes the edit first (triggeredBy "reconciler"); so try up to four edits and require
  // that at least one is pushed by the trigger. A broken trigger fails all four.
  const objectives = [99.5, 99.4, 99.3, 99.2];
  const triggeredBy: string[] = [];
  let version = 0;
  for (const objective of objectives) {
    const since = Date.now() - 200;
    const body = { slug: SLUG, name: "E2E change trigger", service: "search", sli: "availability", objective };
    const r = version === 0 ? await c.post<{ version: number }>("/api/v1/slos", body) : await c.put<{ version: number }>(`/api/v1/slos/${SLUG}`, { ...body, version });
    expect([200, 201], r.text).toContain(r.status);
    version = r.body.version;
    const ratio = `vector(${Number((objective / 100).toPrecision(12))})`;
    await expect.poll(fileText, { message: `${ruleFile()} has the objective ${ratio} within 10 s`, timeout: 10_000 }).toContain(ratio);
    const revs = await c.get<List<Revision>>("/api/v1/revisions");
    const mine = revs.body.items.filter((x) => x.target.name === "e2e-prometheus" && x.status !== "failed" && Date.parse(x.createdAt) >= since);
    triggeredBy.push(...mine.map((x) => x.triggeredBy));
    if (mine.some((x) => x.triggeredBy.startsWith("catalog change (slo."))) break;
  }
  expect(triggeredBy, "who pushed the edits (revision.triggeredBy)").toContainEqual(expect.stringMatching(/^catalog change \(slo\.(create|update)\)$/));
});
