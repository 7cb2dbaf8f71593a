import {
  DORA_METRICS,
  doraEvents,
  INCIDENT_ENVIRONMENT,
  LEAD_TIME_BUCKETS,
  RESTORE_BUCKETS,
  toMs,
  type DoraDeployment,
  type DoraEvent,
  type DoraEventOptions,
  type DoraIncident,
  type Timestamp,
} from "@burnrate/domain";

export type MetricType = "counter" | "gauge" | "histogram";

export interface ExpositionSample {
  /** Full sample name, e.g. `burnrate_deployments_total` or `…_seconds_bucket`. */
  name: string;
  /** Label pairs in output order. */
  labels: Array<[string, string]>;
  value: number;
}

export interface MetricFamily {
  /** Name as in the Prometheus text format 0.0.4 (counters keep `_total`). */
  name: string;
  type: MetricType;
  help: string;
  samples: ExpositionSample[];
}

/** DORA history as stored in the DB. */
export interface DoraRows {
  deployments: DoraDeployment[];
  incidents: DoraIncident[];
}

export interface DoraExporterOptions extends DoraEventOptions {
  /**
   * Catalogue services to expose with zero-valued series before their first event, so the first
   * deployment is an increment PromQL can see (a series born at 1 hides its first event).
   */
  services?: Array<{ service: string; team?: string; environments?: string[] }>;
  /**
   * Labels appended to every sample, e.g. `{ job, instance }` when backfilling, so backfilled series
   * continue the scraped ones (Prometheus adds job/instance on scrape).
   */
  extraLabels?: Record<string, string>;
}

const RESULTS = ["success", "failure", "rolled_back"] as const;
const KINDS = ["planned", "unplanned"] as const;

interface Hist {
  labels: Array<[string, string]>;
  buckets: number[];
  count: number;
  sum: number;
}

const key = (labels: Array<[string, string]>) => labels.map(([k, v]) => `${k}=${v}`).join("\u0000");
const envLabels = (service: string, team: string, environment: string): Array<[string, string]> => [
  ["service", service],
  ["team", team],
  ["environment", environment],
];
const svcLabels = (service: string, team: string): Array<[string, string]> => [
  ["service", service],
  ["team", team],
];

/**
 * Replays the DORA event stream into cumulative counters and histograms. `advanceTo(t)` applies
 * every event strictly before t, so a value at t counts events in (−∞, t) and a PromQL difference
 * between t − W and t counts [t − W, t), exactly `computeDora`'s half-open window.
 */
export class DoraAccumulator {
  private readonly events: DoraEvent[];
  private next = 0;
  private readonly deployments = new Map<string, { labels: Array<[string, string]>; value: number }>();
  private readonly failed = new Map<string, { labels: Array<[string, string]>; value: number }>();
  private readonly incidents = new Map<string, { labels: Array<[string, string]>; value: number }>();
  private readonly lead = new Map<string, Hist>();
  private readonly restore = new Map<string, Hist>();
  private readonly recovery = new Map<string, Hist>();
  private readonly last = new Map<string, { labels: Array<[string, string]>; value: number }>();

  constructor(rows: DoraRows, private readonly opts: DoraExporterOptions = {}) {
    this.events = doraEvents(rows.deployments, rows.incidents, opts);
    // Seed every series the history will ever touch with zeros, plus catalogue services.
    for (const e of this.events) {
      if ("environment" in e) this.seedEnv(e.service, e.team, e.environment);
      else this.seedSvc(e.service, e.team);
    }
    for (const s of opts.services ?? []) {
      const team = s.team ?? opts.teams?.[s.service] ?? "unassigned";
      for (const env of s.environments ?? [INCIDENT_ENVIRONMENT]) this.seedEnv(s.service, team, env);
      this.seedSvc(s.service, team);
    }
  }

  private seedEnv(service: string, team: string, environment: string) {
    const base = envLabels(service, team, environment);
    for (const result of RESULTS)
      for (const kind of KINDS) {
        const labels: Array<[string, string]> = [...base, ["result", result], ["kind", kind]];
        const k = key(labels);
        if (!this.deployments.has(k)) this.deployments.set(k, { labels, value: 0 });
      }
    const k = key(base);
    if (!this.failed.has(k)) this.failed.set(k, { labels: base, value: 0 });
    if (!this.lead.has(k)) this.lead.set(k, { labels: base, buckets: LEAD_TIME_BUCKETS.map(() => 0), count: 0, sum: 0 });
    if (!this.recovery.has(k)) this.recovery.set(k, { labels: base, buckets: RESTORE_BUCKETS.map(() => 0), count: 0, sum: 0 });
    if (environment === INCIDENT_ENVIRONMENT) this.seedSvc(service, team);
  }

  private seedSvc(service: string, team: string) {
    const labels = svcLabels(service, team);
    const k = key(labels);
    if (!this.incidents.has(k)) this.incidents.set(k, { labels, value: 0 });
    if (!this.restore.has(k)) this.restore.set(k, { labels, buckets: RESTORE_BUCKETS.map(() => 0), count: 0, sum: 0 });
  }

  /** Applies all events with time < t (epoch ms). Time must not go backwards. */
  advanceTo(t: number): void {
    while (this.next < this.events.length) {
      const e = this.events[this.next];
      if (e === undefined) throw new Error(`DoraAccumulator: missing event at index ${this.next}`);
      if (!(e.t < t)) break;
      this.next++;
      this.apply(e);
    }
  }

  /** Every series an event touches was seeded with zeros in the constructor. */
  private seeded<T>(m: Map<string, T>, k: string): T {
    const v = m.get(k);
    if (v === undefined) throw new Error(`DoraAccumulator: series ${JSON.stringify(k)} was not seeded`);
    return v;
  }

  private apply(e: DoraEvent) {
    const observe = (h: Hist | undefined, bounds: readonly number[], v: number) => {
      if (!h) return;
      bounds.forEach((b, i) => {
        if (v <= b) h.buckets[i] = (h.buckets[i] ?? 0) + 1;
      });
      h.count++;
      h.sum += v;
    };
    switch (e.type) {
      case "deployment": {
        const base = envLabels(e.service, e.team, e.environment);
        this.seeded(this.deployments, key([...base, ["result", e.result], ["kind", e.kind]])).value++;
        const k = key(base);
        const prev = this.last.get(k);
        const ts = e.t / 1000;
        if (!prev || prev.value < ts) this.last.set(k, { labels: base, value: ts });
        break;
      }
      case "lead_time":
        observe(this.lead.get(key(envLabels(e.service, e.team, e.environment))), LEAD_TIME_BUCKETS, e.seconds);
        break;
      case "deployment_failed":
        this.seeded(this.failed, key(envLabels(e.service, e.team, e.environment))).value++;
        break;
      case "recovery":
        observe(this.recovery.get(key(envLabels(e.service, e.team, e.environment))), RESTORE_BUCKETS, e.seconds);
        break;
      case "incident_opened":
        this.seeded(this.incidents, key(svcLabels(e.service, e.team))).value++;
        break;
      case "restore":
        observe(this.restore.get(key(svcLabels(e.service, e.team))), RESTORE_BUCKETS, e.seconds);
        break;
    }
  }

  /** Current values as metric families (deterministic order). */
  snapshot(): MetricFamily[] {
    const extra = Object.entries(this.opts.extraLabels ?? {}).filter(([k]) => !["service", "team", "environment", "result", "kind", "le"].includes(k));
    const sorted = <T extends { labels: Array<[string, string]> }>(m: Map<string, T>) =>
      [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    const counter = (name: string, help: string, m: Map<string, { labels: Array<[string, string]>; value: number }>): MetricFamily => ({
      name,
      type: "counter",
      help,
      samples: sorted(m).map((s) => ({ name, labels: [...s.labels, ...extra], value: s.value })),
    });
    const histogram = (name: string, help: string, m: Map<string, Hist>, bounds: readonly number[]): MetricFamily => ({
      name,
      type: "histogram",
      help,
      samples: sorted(m).flatMap((h) => {
        const labels = [...h.labels, ...extra];
        return [
          ...bounds.map((b, i) => ({ name: `${name}_bucket`, labels: [...labels, ["le", String(b)]] as Array<[string, string]>, value: h.buckets[i] ?? 0 })),
          { name: `${name}_bucket`, labels: [...labels, ["le", "+Inf"]] as Array<[string, string]>, value: h.count },
          { name: `${name}_count`, labels, value: h.count },
          { name: `${name}_sum`, labels, value: h.sum },
        ];
      }),
    });
    return [
      counter(DORA_METRICS.deployments, "Deployments finished, counted at finish time.", this.deployments),
      counter(DORA_METRICS.deploymentsFailed, "Deployments recognised as failed (failed or rolled back at finish, or when first linked to an incident).", this.failed),
      counter(DORA_METRICS.incidents, "Incidents opened.", this.incidents),
      histogram(DORA_METRICS.leadTime, "Change lead time (commit to successful deployment finish), observed per change at deployment finish.", this.lead, LEAD_TIME_BUCKETS),
      histogram(DORA_METRICS.timeToRestore, "Incident time to restore (resolved minus opened), observed at resolution.", this.restore, RESTORE_BUCKETS),
      histogram(DORA_METRICS.recovery, "Failed deployment recovery time (recovered minus deployment finish), observed at recovery.", this.recovery, RESTORE_BUCKETS),
      {
        name: DORA_METRICS.lastDeployment,
        type: "gauge",
        help: "Finish time of the latest deployment, unix seconds.",
        samples: sorted(this.last).map((s) => ({ name: DORA_METRICS.lastDeployment, labels: [...s.labels, ...extra], value: s.value })),
      },
    ];
  }
}

/**
 * Cumulative DORA series as of time t, recomputed from the full event history so values survive
 * restarts (nothing is kept in process memory between scrapes). Counts events strictly before t.
 */
export function doraSeriesAt(rows: DoraRows, t: Timestamp, opts: DoraExporterOptions = {}): MetricFamily[] {
  const acc = new DoraAccumulator(rows, opts);
  acc.advanceTo(toMs(t));
  return acc.snapshot();
}
