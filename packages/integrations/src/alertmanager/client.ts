import { z } from "zod";
import { HttpClient, UpstreamError, bodyExcerpt, httpClientOptions, metricValue, type ConnectionOptions } from "../http";

export const amStatusSchema = z.looseObject({
  cluster: z.looseObject({
    status: z.string(),
    name: z.string().optional(),
    peers: z.array(z.looseObject({ name: z.string(), address: z.string() })).nullish(),
  }),
  versionInfo: z.looseObject({
    version: z.string(),
    revision: z.string().optional(),
    branch: z.string().optional(),
    buildUser: z.string().optional(),
    buildDate: z.string().optional(),
    goVersion: z.string().optional(),
  }),
  config: z.looseObject({ original: z.string() }),
  uptime: z.string(),
});
export type AlertmanagerStatus = z.infer<typeof amStatusSchema>;

const labelSet = z.record(z.string(), z.string());

export const gettableAlertSchema = z.looseObject({
  labels: labelSet,
  annotations: labelSet.nullish(),
  startsAt: z.string(),
  endsAt: z.string(),
  updatedAt: z.string(),
  fingerprint: z.string(),
  generatorURL: z.string().optional(),
  receivers: z.array(z.looseObject({ name: z.string() })),
  status: z.looseObject({
    state: z.enum(["unprocessed", "active", "suppressed"]),
    silencedBy: z.array(z.string()).nullish(),
    inhibitedBy: z.array(z.string()).nullish(),
    mutedBy: z.array(z.string()).nullish(),
  }),
});
export type AlertmanagerAlert = z.infer<typeof gettableAlertSchema>;

export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: Date | string;
  endsAt?: Date | string;
  generatorURL?: string;
}

export interface AlertsFilter {
  active?: boolean;
  silenced?: boolean;
  inhibited?: boolean;
  unprocessed?: boolean;
  /** Matchers such as `slo="checkout"`, `severity=~"page|ticket"`. */
  filter?: string[];
  receiver?: string;
}

export type AlertmanagerClientOptions = ConnectionOptions;

export interface AlertmanagerReloadStatus {
  successful: boolean;
  /** `alertmanager_config_hash` (float as exported), if present. */
  configHash: number | undefined;
}

function iso(d: Date | string | undefined): string | undefined {
  if (d === undefined) return undefined;
  return d instanceof Date ? d.toISOString() : d;
}

export class AlertmanagerClient {
  readonly http: HttpClient;

  constructor(opts: AlertmanagerClientOptions) {
    this.http = new HttpClient(httpClientOptions("Alertmanager", opts));
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** GET /api/v2/status, including `config.original` (the loaded config as re-serialized YAML). */
  async status(): Promise<AlertmanagerStatus> {
    return this.http.json({ path: "/api/v2/status" }, amStatusSchema);
  }

  async alerts(f: AlertsFilter = {}): Promise<AlertmanagerAlert[]> {
    return this.http.json(
      {
        path: "/api/v2/alerts",
        query: {
          active: f.active,
          silenced: f.silenced,
          inhibited: f.inhibited,
          unprocessed: f.unprocessed,
          filter: f.filter,
          receiver: f.receiver,
        },
      },
      z.array(gettableAlertSchema),
    );
  }

  async postAlerts(alerts: PostableAlert[]): Promise<void> {
    const body = alerts.map((a) => {
      const out: Record<string, unknown> = { labels: a.labels };
      if (a.annotations) out["annotations"] = a.annotations;
      const s = iso(a.startsAt);
      const e = iso(a.endsAt);
      if (s) out["startsAt"] = s;
      if (e) out["endsAt"] = e;
      if (a.generatorURL) out["generatorURL"] = a.generatorURL;
      return out;
    });
    const res = await this.http.raw({ method: "POST", path: "/api/v2/alerts", json: body });
    if (res.status < 200 || res.status >= 300) throw this.http.httpError(res, "post alerts");
  }

  /** POST /-/reload. On a bad config Alertmanager answers 500 with the reason in the body. */
  async reload(): Promise<void> {
    const res = await this.http.raw({ method: "POST", path: "/-/reload", headers: { accept: "text/plain" } });
    if (res.status === 200) return;
    throw new UpstreamError({
      service: "Alertmanager",
      url: res.url,
      kind: "http",
      status: res.status,
      bodyExcerpt: bodyExcerpt(res.text, 500),
      message: `Alertmanager reload failed (HTTP ${res.status}): ${bodyExcerpt(res.text, 500) || "no details"}`,
    });
  }

  async ready(): Promise<boolean> {
    const res = await this.http.raw({ path: "/-/ready", headers: { accept: "text/plain" } });
    if (res.status === 200) return true;
    if (res.status === 503) return false;
    throw this.http.httpError(res, "readiness check");
  }

  /** From /metrics: `alertmanager_config_last_reload_successful` and `alertmanager_config_hash`. */
  async configReloadSuccessful(): Promise<AlertmanagerReloadStatus> {
    const text = await this.http.text({ path: "/metrics", headers: { accept: "text/plain" } });
    const ok = metricValue(text, "alertmanager_config_last_reload_successful");
    if (ok === undefined) {
      throw new UpstreamError({
        service: "Alertmanager",
        url: `${this.baseUrl}/metrics`,
        kind: "invalid_response",
        message: "Alertmanager /metrics has no alertmanager_config_last_reload_successful",
      });
    }
    return { successful: ok === 1, configHash: metricValue(text, "alertmanager_config_hash") };
  }
}
