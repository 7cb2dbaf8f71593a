/**
 * A typed subset of Grafana's dashboard JSON model (schemaVersion 39+), only the fields Burnrate
 * generates. Everything here is plain data: builders in `builder.ts` fill it in, `dashboardJson`
 * serialises it with a stable key order, and `stampDashboard` records a content hash in the
 * description so a pusher can skip unchanged dashboards without diffing Grafana's normalised copy.
 */

export type DataSourceRef = { type: string; uid: string };

export type GridPos = { h: number; w: number; x: number; y: number };

export type PromTarget = {
  refId: string;
  datasource: DataSourceRef;
  expr: string;
  legendFormat?: string;
  /** "time_series" (default) or "table" for instant tables. */
  format?: "time_series" | "table" | "heatmap";
  instant?: boolean;
  range?: boolean;
  interval?: string;
  editorMode?: "code";
};

export type Threshold = { color: string; value: number | null };

export type FieldConfig = {
  defaults: {
    unit?: string;
    decimals?: number;
    min?: number;
    max?: number;
    color?: { mode: string; fixedColor?: string };
    thresholds?: { mode: "absolute" | "percentage"; steps: Threshold[] };
    custom?: Record<string, unknown>;
    mappings?: unknown[];
    links?: Array<{ title: string; url: string; targetBlank?: boolean }>;
    noValue?: string;
    displayName?: string;
  };
  overrides: Array<{
    matcher: { id: string; options: string };
    properties: Array<{ id: string; value: unknown }>;
  }>;
};

export type Transformation = { id: string; options: Record<string, unknown> };

export type PanelType = "timeseries" | "stat" | "table" | "text" | "row" | "gauge" | "bargauge";

export type Panel = {
  id: number;
  type: PanelType;
  title: string;
  description?: string;
  gridPos: GridPos;
  datasource?: DataSourceRef;
  targets?: PromTarget[];
  fieldConfig?: FieldConfig;
  options?: Record<string, unknown>;
  transformations?: Transformation[];
  /** Panel-level relative time override, e.g. "30d". */
  timeFrom?: string;
  interval?: string;
  maxDataPoints?: number;
  /** Row panels only. */
  collapsed?: boolean;
  panels?: Panel[];
};

export type VariableOption = { selected: boolean; text: string; value: string };

export type TemplateVariable = {
  name: string;
  label?: string;
  type: "query" | "custom" | "constant" | "datasource" | "interval";
  datasource?: DataSourceRef;
  query: string | { query: string; refId: string; qryType?: number };
  definition?: string;
  current: { selected?: boolean; text: string | string[]; value: string | string[] };
  options: VariableOption[];
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  /** 0 never, 1 on dashboard load, 2 on time range change. */
  refresh?: 0 | 1 | 2;
  /** 0 shown, 1 label hidden, 2 hidden. */
  hide?: 0 | 1 | 2;
  sort?: number;
  regex?: string;
  skipUrlSync?: boolean;
};

export type Annotation = {
  name: string;
  datasource: DataSourceRef;
  enable: boolean;
  hide?: boolean;
  iconColor: string;
  builtIn?: 1;
  type?: "dashboard";
  target?: Record<string, unknown>;
  /** Prometheus annotation query fields. */
  expr?: string;
  step?: string;
  titleFormat?: string;
  textFormat?: string;
  tagKeys?: string;
  useValueForTime?: boolean;
};

export type DashboardLink = {
  title: string;
  type: "dashboards" | "link";
  tags: string[];
  asDropdown: boolean;
  includeVars: boolean;
  keepTime: boolean;
  targetBlank: boolean;
  icon: string;
  tooltip: string;
  url: string;
};

export type Dashboard = {
  /** null on create in the legacy API; never set by the builders. */
  id?: number | null;
  uid: string;
  title: string;
  description: string;
  tags: string[];
  timezone: string;
  editable: boolean;
  graphTooltip: 0 | 1 | 2;
  schemaVersion: number;
  /** Grafana's optimistic-lock version; set by the pusher, never by the builders. */
  version?: number;
  time: { from: string; to: string };
  refresh: string;
  fiscalYearStartMonth: number;
  liveNow: boolean;
  weekStart: string;
  templating: { list: TemplateVariable[] };
  annotations: { list: Annotation[] };
  links: DashboardLink[];
  panels: Panel[];
};

/** Dashboard JSON schema version the builders target (Grafana 11/12). */
export const DASHBOARD_SCHEMA_VERSION = 39;

/** Bump when generated dashboards change shape, so every managed dashboard is re-pushed. */
export const BURNRATE_DASHBOARD_VERSION = 1;

/** Returns a deep copy of a JSON value with object keys sorted, so serialisation is deterministic. */
export function sortJsonKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortJsonKeys(v)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortJsonKeys(v);
    }
    return out as T;
  }
  return value;
}

/** Deterministic JSON (sorted keys, 2-space indent, trailing newline). */
export function dashboardJson(value: unknown): string {
  return `${JSON.stringify(sortJsonKeys(value), null, 2)}\n`;
}

/**
 * 64-bit FNV-1a over the UTF-16 code units of a string, as 16 hex digits. Not cryptographic:
 * only used to detect content changes.
 */
export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * prime) & mask;
  }
  return h.toString(16).padStart(16, "0");
}

const STAMP_RE = /\n*Managed by Burnrate \(__burnrate_version=(\d+) __burnrate_hash=([0-9a-f]{16})\)\.?\s*$/;

/** Description text without the Burnrate stamp. */
export function stripStamp(description: string): string {
  return description.replace(STAMP_RE, "");
}

/**
 * Content hash of a dashboard: canonical JSON without Grafana-owned fields (id, version) and
 * without the stamp itself, so re-stamping is idempotent.
 */
export function dashboardContentHash(dashboard: Dashboard): string {
  const { id: _id, version: _version, ...rest } = dashboard;
  return fnv1a64(dashboardJson({ ...rest, description: stripStamp(dashboard.description) }));
}

/** Writes `__burnrate_version` and the content hash into the description. */
export function stampDashboard(dashboard: Dashboard): Dashboard {
  const hash = dashboardContentHash(dashboard);
  const base = stripStamp(dashboard.description);
  const stamp = `Managed by Burnrate (__burnrate_version=${BURNRATE_DASHBOARD_VERSION} __burnrate_hash=${hash}).`;
  return { ...dashboard, description: base ? `${base}\n\n${stamp}` : stamp };
}

/** Reads the stamp written by `stampDashboard`, or null when the dashboard is not managed by Burnrate. */
export function readDashboardStamp(dashboard: { description?: unknown }): { version: number; hash: string } | null {
  if (typeof dashboard.description !== "string") return null;
  const m = STAMP_RE.exec(dashboard.description);
  if (!m) return null;
  return { version: Number(m[1]), hash: m[2] ?? "" };
}

/**
 * Grafana uids are at most 40 characters. Short ids are used as-is; longer ones are truncated and
 * suffixed with a hash of the full id so they stay unique and stable.
 */
export function dashboardUid(prefix: string, id: string): string {
  const full = `${prefix}${id}`;
  if (full.length <= 40) return full;
  const suffix = fnv1a64(full).slice(0, 8);
  return `${full.slice(0, 40 - suffix.length - 1).replace(/-+$/, "")}-${suffix}`;
}
