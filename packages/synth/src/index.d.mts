// Type declarations for @burnrate/synth (implementation is plain ESM .mjs so `node` runs the CLIs).

export declare const JOB: 'demo';
export declare const INSTANCE: string; // 'synth:19200'
export declare const BUCKETS: number[]; // 0.05 .. 5 (without +Inf)
export declare const LE_LABELS: string[]; // '0.05' .. '5', '+Inf'
export declare const CODES: string[]; // '200','404','500','503'

export type ServiceName =
  | 'checkout' | 'payments' | 'search' | 'catalog' | 'auth' | 'inventory'
  | 'notifications' | 'shipping' | 'recommendations' | 'profile' | 'gateway' | 'reporting';

export interface DemoService {
  name: ServiceName;
  team: string;
  tier: string;
  method: 'GET' | 'POST';
  /** mean requests per second */
  rps: number;
  /** baseline error fraction per code */
  err: { 404: number; 500: number; 503: number };
  /** log-normal latency median (s) and sigma */
  median: number;
  sigma: number;
  /** UTC hour of the diurnal peak, diurnal amplitude */
  peak: number;
  amp: number;
}
export declare const SERVICES: DemoService[];
export declare const SERVICE_NAMES: ServiceName[];

/** Incident as used by the model (scripted or runtime). Times are unix seconds. */
export interface ModelIncident {
  id: string;
  service: string;
  kind: string;
  title: string;
  start: number;
  end: number;
  /** extra error fraction per code, e.g. { 500: 0.06 } */
  err?: Partial<Record<'404' | '500' | '503' | 404 | 500 | 503, number>>;
  /** latency median multiplier */
  latencyFactor?: number;
  causedByDeploy?: boolean;
  source?: 'runtime' | 'replay' | string;
}

export interface SeriesDesc {
  family: 'http_requests' | 'http_request_duration_seconds';
  name: string;
  /** label pairs without job/instance, e.g. service="checkout",code="200",method="POST" */
  labels: string;
  si: number;
  k: number;
}

export interface Model {
  anchor: number;
  origin: number;
  instance: string;
  incidents: ModelIncident[];
  series: SeriesDesc[];
  services: DemoService[];
  /** unrounded cumulative values of one service (layout: 4 codes, 9 buckets, count, sum) */
  rawValues(serviceIndex: number, t: number, out?: Float64Array): Float64Array;
  /** exposed values (integer counters/buckets, _sum rounded to 1 ms) */
  values(serviceIndex: number, t: number, out?: Float64Array): Float64Array;
  /** Prometheus text format 0.0.4 at unix time t */
  renderText(t: number): string;
  /** instantaneous request rate (req/s) */
  rate(service: string, t: number): number;
  /** exact model increase between t0 and t1 of all requests, all 5xx, or one code */
  increase(service: string, t0: number, t1: number, what?: 'all' | '5xx' | '200' | '404' | '500' | '503'): number;
}

export declare function hash32(str: string): number;
export declare function unit(key: string): number;
export declare function scriptedIncidents(anchor: number): ModelIncident[];
/** Model parameters persisted in synth-state.json when a data dir is created. */
export interface ModelParams {
  /** MODEL_VERSION of the code that created the data dir */
  version: number;
  services: DemoService[];
  scriptedIncidents: ModelIncident[];
}
/** Per-service overrides of the default service table, e.g. { checkout: { err: { 500: 0.001 } } } */
export type ServiceOverrides = Partial<Record<ServiceName, Partial<Omit<DemoService, 'name' | 'err'>> & { err?: Partial<DemoService['err']> }>>;
export declare const MODEL_VERSION: number;
export declare function modelParams(anchor: number, opts?: { serviceOverrides?: ServiceOverrides }): ModelParams;
export declare function createModel(opts: {
  anchor: number; origin?: number; runtimeIncidents?: ModelIncident[]; instance?: string;
  /** default: SERVICES (the code's defaults) */
  services?: DemoService[];
  /** default: scriptedIncidents(anchor) */
  scriptedIncidents?: ModelIncident[];
}): Model;
export declare function serviceIndex(name: string): number;

// ---- state
export interface SynthState {
  version: number; anchor: number; origin: number; instance: string; createdAt: string;
  /** absent in version-1 states (ensureState freezes the current defaults into them) */
  model?: ModelParams;
  migratedAt?: string;
}
export declare const STATE_FILE: string;
export declare const STATE_VERSION: number;
export declare const RUNTIME_INCIDENTS_FILE: string;
export declare function readState(dataDir: string): SynthState | null;
export declare function ensureState(dataDir: string, nowSeconds: number, opts?: { serviceOverrides?: ServiceOverrides }): { state: SynthState; created: boolean; migrated: boolean };
export declare function readRuntimeIncidents(dataDir: string): ModelIncident[];
export declare function addRuntimeIncident(
  dataDir: string,
  inc: { service: string; start: number; seconds?: number; err?: number; code?: '404' | '500' | '503' | string; latencyFactor?: number; id?: string; title?: string; source?: string },
): ModelIncident;
export declare function modelFromDataDir(dataDir: string): Model;
export declare function modelFromState(state: SynthState, runtimeIncidents?: ModelIncident[]): Model;

// ---- backfill
export interface OpenMetricsResult { file: string; start: number; end: number; step: number; series: number; samples: number; bytes: number; seconds: number }
export declare function writeOpenMetrics(model: Model, opts: { file: string; start: number; end: number; step?: number; filter?: (s: SeriesDesc) => boolean }): OpenMetricsResult;
export declare function importOpenMetrics(opts: { promtool?: string; file: string; outDir: string; maxBlockDuration?: string }): Promise<{ seconds: number; output: string }>;
export interface BackfillResult {
  start: number; end: number; step: number; series: number; samples: number; bytes: number;
  files?: string[]; generateSeconds: number; importSeconds: number; totalSeconds: number;
}
export declare function backfill(
  model: Model,
  opts: { outDir: string; start: number; end: number; step?: number; promtool?: string; tmpDir?: string; keepFiles?: boolean; parts?: number; filter?: (s: SeriesDesc) => boolean },
): Promise<BackfillResult>;

// ---- exporter
export declare function startExporter(opts: { dataDir: string; port: number; host?: string; now?: () => number }): Promise<{
  url: string; port: number; server: import('node:http').Server; close(): Promise<void>;
}>;

// ---- demo data for the DB seed
export interface DemoDeployment {
  id: string;
  service: ServiceName;
  environment: 'production';
  version: string;
  /** 40 hex chars */
  sha: string;
  /** unix seconds */
  commitTime: number;
  startTime: number;
  finishTime: number;
  /** ISO-8601 versions of the same instants */
  committedAt: string;
  startedAt: string;
  finishedAt: string;
  result: 'success' | 'failure';
  causedIncident: boolean;
  incidentId: string | null;
  /** fix-forward/rollback deployment that ended an incident */
  isFix: boolean;
}
export interface DemoIncident {
  id: string;
  service: ServiceName;
  title: string;
  kind: 'errors' | 'latency' | 'outage' | string;
  severity: 'page' | 'ticket';
  start: number;
  end: number;
  startedAt: string;
  /** null while ongoing at nowSeconds */
  resolvedAt: string | null;
  ongoing: boolean;
  errorRatio: number;
  errorCodes: string[];
  latencyFactor: number;
  causedByDeploymentId: string | null;
}
export declare function demoDeployments(nowSeconds: number, params?: Partial<ModelParams>): DemoDeployment[];
export declare function demoIncidents(nowSeconds: number, params?: Partial<ModelParams>): DemoIncident[];

// ---- local stack
export declare const DEFAULT_BINARIES: { prometheus: string; promtool: string; alertmanager: string };
export declare function checkBinaries(bins?: Partial<typeof DEFAULT_BINARIES>): { available: true } | { available: false; reason: string };
export declare function prometheusConfig(opts: {
  promPort: number; amPort: number; exporterPort: number; rulesDir: string;
  scrapeInterval?: string; evaluationInterval?: string; burnrateMetricsUrl?: string; burnrateSelfMetricsUrl?: string; burnrateMetricsTokenFile?: string; instance?: string;
}): string;
export declare function bootstrapAlertmanagerConfig(opts?: { webhookUrl?: string }): string;

export interface LocalStackOptions {
  dataDir: string;
  /** default 19290 / 19293 / 19200 */
  promPort?: number;
  amPort?: number;
  exporterPort?: number;
  /** default <dataDir>/rules; Prometheus loads <rulesDir>/*.yml */
  rulesDir?: string;
  /** default <dataDir>/alertmanager.yml; a bootstrap config is written only if the file is missing */
  alertmanagerConfigPath?: string;
  /** days of history imported into a fresh TSDB (default 30; 0 = none) */
  backfillDays?: number;
  /** backfill resolution in seconds (default 60) */
  backfillStep?: number;
  /** restrict the backfill to some services (default: all 12) */
  backfillServices?: string[];
  /** on later starts, backfill the hole since the last stored sample when it exceeds 10 min (default true) */
  backfillGap?: boolean;
  /** receiver URL of the bootstrap Alertmanager config */
  webhookUrl?: string;
  /** extra scrape target, e.g. http://127.0.0.1:3000/api/metrics (job "burnrate") */
  burnrateMetricsUrl?: string;
  /** Burnrate's own metrics (`/api/metrics/burnrate`), scraped as job `burnrate-self` for the meta alerts. */
  burnrateSelfMetricsUrl?: string;
  /** file holding the bearer token Prometheus sends to burnrateMetricsUrl (BURNRATE_METRICS_TOKEN) */
  burnrateMetricsTokenFile?: string;
  /** Prometheus durations ('30s') or seconds */
  evaluationInterval?: string | number;
  scrapeInterval?: string | number;
  resendDelay?: string | number;
  retention?: string;
  /** add a replayed checkout fast burn when the scripted one is over (default true) */
  ensureOngoingIncident?: boolean;
  /** SIGTERM the children when this process exits (default true; the CLI's detached `up` sets false) */
  killOnExit?: boolean;
  readyTimeoutMs?: number;
  binaries?: Partial<typeof DEFAULT_BINARIES>;
  /** clock for anchor/backfill (unix seconds); the exporter always uses the wall clock */
  now?: () => number;
  /** overrides of the service table, persisted in synth-state.json; only used when the state is created */
  serviceOverrides?: ServiceOverrides;
  /** on later starts, compare the last stored sample with the model and warn on a mismatch (default true) */
  checkContinuity?: boolean;
  /** where warnings go (default console.warn) */
  log?: (msg: string) => void;
}
export interface ContinuityResult {
  checked: boolean;
  reason?: string;
  /** timestamp of the last stored sample that was compared */
  at?: number;
  series?: number;
  mismatchCount?: number;
  /** mismatching series whose stored value is above the model (Prometheus sees a counter reset) */
  resets?: number;
  mismatches?: Array<{ series: string; t: number; stored: number; model: number }>;
  /** http_requests_total resets already stored in the last 31 days, per service (should be empty) */
  historyResets?: Array<{ service: string; resets: number }>;
}
export declare function checkContinuity(opts: { prometheusUrl: string; model: Model; at: number; lastData?: number }): Promise<ContinuityResult>;
export interface LocalStack {
  available: true;
  prometheusUrl: string;
  alertmanagerUrl: string;
  exporterUrl: string;
  dataDir: string;
  rulesDir: string;
  alertmanagerConfigPath: string;
  anchor: number;
  createdState: boolean;
  backfill: (BackfillResult & { mode: 'initial' | 'gap' }) | null;
  replayedIncident: ModelIncident | null;
  /** null on a fresh TSDB or with checkContinuity: false */
  continuity: ContinuityResult | null;
  timings: Record<string, number>;
  pids: { exporter?: number; alertmanager?: number; prometheus?: number };
  stop(): Promise<void>;
}
export type LocalStackResult = LocalStack | { available: false; reason: string };
export declare function startLocalStack(opts: LocalStackOptions): Promise<LocalStackResult>;
export declare function stopLocalStack(dataDir: string): Promise<{ stopped: string[] }>;
export declare function localStackStatus(dataDir: string): {
  running: boolean;
  processes: Record<'exporter' | 'alertmanager' | 'prometheus', { pid: number | null; running: boolean }>;
  info: null | Record<string, unknown>;
};
