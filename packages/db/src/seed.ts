import { admitPolicy, admitService, admitSlo, type FieldIssue } from "@burnrate/domain";
import type { Db } from "./client";

type SeedSli =
  | {
      kind: "availability";
      metric: string;
      matchers: { label: string; op: string; value: string }[];
      errorMatchers: { label: string; op: string; value: string }[];
    }
  | { kind: "latency"; metric: string; matchers: { label: string; op: string; value: string }[]; thresholdSeconds: number };

const TEAMS = [
  { slug: "payments", name: "Payments", description: "Checkout and payment processing." },
  { slug: "discovery", name: "Discovery", description: "Search, catalogue and recommendations." },
  { slug: "identity", name: "Identity", description: "Authentication, profiles and the API gateway." },
  { slug: "fulfilment", name: "Fulfilment", description: "Inventory, shipping, notifications and reporting." },
];

const SERVICES: { slug: string; name: string; team: string; tier: "critical" | "high" | "medium" | "low"; owner: string }[] = [
  { slug: "checkout", name: "Checkout", team: "payments", tier: "critical", owner: "alice@example.com" },
  { slug: "payments", name: "Payments API", team: "payments", tier: "critical", owner: "bob@example.com" },
  { slug: "search", name: "Search", team: "discovery", tier: "high", owner: "carol@example.com" },
  { slug: "catalog", name: "Catalog", team: "discovery", tier: "high", owner: "dan@example.com" },
  { slug: "recommendations", name: "Recommendations", team: "discovery", tier: "low", owner: "erin@example.com" },
  { slug: "auth", name: "Auth", team: "identity", tier: "critical", owner: "frank@example.com" },
  { slug: "profile", name: "Profile", team: "identity", tier: "medium", owner: "grace@example.com" },
  { slug: "gateway", name: "API Gateway", team: "identity", tier: "critical", owner: "heidi@example.com" },
  { slug: "inventory", name: "Inventory", team: "fulfilment", tier: "high", owner: "ivan@example.com" },
  { slug: "shipping", name: "Shipping", team: "fulfilment", tier: "medium", owner: "judy@example.com" },
  { slug: "notifications", name: "Notifications", team: "fulfilment", tier: "low", owner: "mallory@example.com" },
  { slug: "reporting", name: "Reporting", team: "fulfilment", tier: "low", owner: "oscar@example.com" },
];

const availability = (service: string): SeedSli => ({
  kind: "availability",
  metric: "http_requests_total",
  matchers: [
    { label: "job", op: "=", value: "demo" },
    { label: "service", op: "=", value: service },
  ],
  errorMatchers: [{ label: "code", op: "=~", value: "5.." }],
});
const latency = (service: string, thresholdSeconds: number): SeedSli => ({
  kind: "latency",
  metric: "http_request_duration_seconds",
  matchers: [
    { label: "job", op: "=", value: "demo" },
    { label: "service", op: "=", value: service },
  ],
  thresholdSeconds,
});

/** One availability SLO per service, plus latency SLOs on the critical paths. */
const SLOS: { slug: string; name: string; service: string; sli: SeedSli; sliSlug: string; objective: number; window: string }[] = [
  ...SERVICES.map((s) => ({
    slug: `${s.slug}-availability`,
    name: `${s.name} availability`,
    service: s.slug,
    sliSlug: "availability",
    sli: availability(s.slug),
    objective: s.tier === "critical" ? 99.9 : s.tier === "high" ? 99.5 : 99,
    window: s.slug === "reporting" ? "7d" : s.slug === "shipping" ? "calendar-month" : s.slug === "search" ? "28d" : "30d",
  })),
  {
    slug: "checkout-latency",
    name: "Checkout latency under 300ms",
    service: "checkout",
    sliSlug: "latency-300ms",
    sli: latency("checkout", 0.3),
    objective: 99,
    window: "30d",
  },
  {
    slug: "payments-latency",
    name: "Payments latency under 500ms",
    service: "payments",
    sliSlug: "latency-500ms",
    sli: latency("payments", 0.5),
    objective: 99,
    window: "28d",
  },
  {
    slug: "search-latency",
    name: "Search latency under 250ms",
    service: "search",
    sliSlug: "latency-250ms",
    sli: latency("search", 0.25),
    objective: 95,
    window: "30d",
  },
];

const POLICY_STEPS = [
  {
    condition: { type: "budget_remaining", belowPercent: 0 },
    action: "feature_freeze",
    note: "Halt releases except P0 and security fixes until back within SLO.",
  },
  { condition: { type: "burn_rate", window: "1h", above: 14.4 }, action: "incident_response", note: "Fast burn: page on-call and open an incident." },
  { condition: { type: "burn_rate", window: "6h", above: 6 }, action: "page", note: "" },
  { condition: { type: "burn_rate", window: "3d", above: 1 }, action: "reliability_sprint", note: "Slow burn: schedule reliability work." },
  { condition: { type: "budget_remaining", belowPercent: 25 }, action: "notify", note: "Budget low: tell the team and product owner." },
];

/** The demo catalogue passes the admission gate like any other entry point (a refusal is a bug here). */
export function admitDemoCatalogue(): void {
  const refused: string[] = [];
  const check = (what: string, r: { ok: true } | { ok: false; errors: FieldIssue[] }) => {
    if (!r.ok) refused.push(`${what}: ${r.errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`);
  };
  for (const t of TEAMS) check(`policy ${t.slug}-default`, admitPolicy({ slug: `${t.slug}-default`, name: `${t.name} default policy`, team: t.slug, steps: POLICY_STEPS }));
  for (const s of SERVICES) check(`service ${s.slug}`, admitService({ ...s, runbookUrl: `https://runbooks.example.com/${s.slug}`, repoUrl: `https://git.example.com/shop/${s.slug}` }));
  for (const o of SLOS) {
    check(`SLO ${o.slug}`, admitSlo({ slug: o.slug, name: o.name, service: o.service, sli: o.sli, objective: o.objective, window: o.window, alerting: { enabled: true, page: true, ticket: true, minEvents: o.service === "reporting" ? 50 : 0 } }));
  }
  if (refused.length) throw new Error(`demo catalogue refused by the admission gate: ${refused.join(" | ")}`);
}

/**
 * Loads demo data (teams, services, SLIs, SLOs, policies, receivers). Idempotent: existing rows
 * (matched by slug) are left as they are, so user edits in the demo survive restarts.
 */
export async function seedDemo(db: Db): Promise<{ teams: number; services: number; slos: number; created: boolean }> {
  const existing = await db.team.count();
  if (existing > 0) {
    return { teams: existing, services: await db.service.count(), slos: await db.slo.count(), created: false };
  }
  admitDemoCatalogue();
  await db.$transaction(async (tx) => {
    const teamIds = new Map<string, string>();
    for (const t of TEAMS) {
      const row = await tx.team.create({ data: t });
      teamIds.set(t.slug, row.id);
      const policy = await tx.errorBudgetPolicy.create({
        data: {
          slug: `${t.slug}-default`,
          name: `${t.name} default policy`,
          description: "Workbook-style policy: freeze on exhaustion, incident on fast burn, reliability sprint on slow burn.",
          teamId: row.id,
          steps: POLICY_STEPS,
        },
      });
      teamIds.set(`${t.slug}:policy`, policy.id);
      await tx.alertReceiver.create({
        data: {
          slug: `${t.slug}-oncall`,
          name: `${t.name} on-call`,
          teamId: row.id,
          kind: "webhook",
          severities: ["page", "ticket"],
          config: { kind: "webhook", url: `http://127.0.0.1:19095/${t.slug}`, sendResolved: true },
        },
      });
    }
    const serviceIds = new Map<string, string>();
    for (const s of SERVICES) {
      const row = await tx.service.create({
        data: {
          slug: s.slug,
          name: s.name,
          teamId: teamIds.get(s.team) ?? "",
          tier: s.tier,
          owner: s.owner,
          runbookUrl: `https://runbooks.example.com/${s.slug}`,
          repoUrl: `https://git.example.com/shop/${s.slug}`,
          labels: {},
          description: `${s.name} (demo service).`,
        },
      });
      serviceIds.set(s.slug, row.id);
    }
    for (const o of SLOS) {
      const svc = SERVICES.find((s) => s.slug === o.service);
      const serviceId = serviceIds.get(o.service) ?? "";
      const sli = await tx.sli.upsert({
        where: { serviceId_slug: { serviceId, slug: o.sliSlug } },
        update: {},
        create: { slug: o.sliSlug, name: `${o.name.replace(/ (availability|latency.*)$/, "")} ${o.sliSlug}`, serviceId, kind: o.sli.kind, spec: o.sli },
      });
      await tx.slo.create({
        data: {
          slug: o.slug,
          name: o.name,
          sliId: sli.id,
          objective: o.objective,
          window: o.window,
          alerting: { enabled: true, page: true, ticket: true, minEvents: o.service === "reporting" ? 50 : 0 },
          labels: {},
          policyId: teamIds.get(`${svc?.team ?? ""}:policy`) ?? null,
        },
      });
    }
    // ~60 sequential inserts: Prisma's default 5 s for an interactive transaction is not enough on
    // a loaded 2-core machine (the flake hunt saw 5.3 s), and the seed is all-or-nothing.
  }, { timeout: 60_000, maxWait: 30_000 });
  return { teams: TEAMS.length, services: SERVICES.length, slos: SLOS.length, created: true };
}

type DemoDeployment = {
  id: string;
  service: string;
  environment: string;
  version: string;
  sha: string;
  committedAt: string;
  startedAt: string;
  finishedAt: string;
  result: string;
  incidentId: string | null;
  isFix: boolean;
};
type DemoIncident = {
  id: string;
  service: string;
  title: string;
  severity: string;
  startedAt: string;
  resolvedAt: string | null;
  causedByDeploymentId: string | null;
};

/**
 * Loads the synthetic model's deployments and incidents (packages/synth demo-seed.json), so DORA
 * views and chart annotations match the backfilled metrics. Idempotent through externalId and
 * fingerprint; rows of services that were deleted are skipped.
 */
export async function seedDemoDelivery(
  db: Db,
  seed: { deployments: DemoDeployment[]; incidents: DemoIncident[] },
): Promise<{ deployments: number; incidents: number }> {
  const services = new Map((await db.service.findMany({ select: { id: true, slug: true } })).map((s) => [s.slug, s.id]));
  const existing = new Set((await db.deployment.findMany({ where: { source: "demo" }, select: { externalId: true } })).map((d) => d.externalId));
  const depIds = new Map<string, string>();
  let deployments = 0;
  let incidents = 0;
  for (const d of seed.deployments) {
    const serviceId = services.get(d.service);
    if (!serviceId || existing.has(d.id)) continue;
    const row = await db.deployment.create({
      data: {
        serviceId,
        environment: d.environment,
        version: d.version,
        sha: d.sha,
        result: d.result,
        kind: d.isFix ? "unplanned" : "planned",
        startedAt: new Date(d.startedAt),
        finishedAt: new Date(d.finishedAt),
        commits: [{ sha: d.sha, committedAt: d.committedAt }],
        source: "demo",
        externalId: d.id,
      },
    });
    depIds.set(d.id, row.id);
    deployments++;
  }
  for (const i of seed.incidents) {
    const serviceId = services.get(i.service);
    if (!serviceId) continue;
    const fingerprint = `demo:${i.id}`;
    if (await db.incident.findUnique({ where: { fingerprint } })) continue;
    let causedBy = i.causedByDeploymentId ? depIds.get(i.causedByDeploymentId) : undefined;
    if (i.causedByDeploymentId && !causedBy) causedBy = (await db.deployment.findUnique({ where: { externalId: i.causedByDeploymentId } }))?.id;
    await db.incident.create({
      data: {
        serviceId,
        title: i.title,
        severity: i.severity,
        source: "manual",
        fingerprint,
        openedAt: new Date(i.startedAt),
        resolvedAt: i.resolvedAt ? new Date(i.resolvedAt) : null,
        causedByDeploymentId: causedBy ?? null,
      },
    });
    incidents++;
  }
  return { deployments, incidents };
}
