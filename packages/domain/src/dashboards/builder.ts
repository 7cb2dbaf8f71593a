import type {
  Annotation,
  Dashboard,
  DataSourceRef,
  FieldConfig,
  Panel,
  PromTarget,
  TemplateVariable,
  Threshold,
  Transformation,
} from "./model";
import { DASHBOARD_SCHEMA_VERSION, stampDashboard } from "./model";

/**
 * House-style helpers for building dashboards: one place decides line widths, legends, units
 * and colours, so every generated dashboard looks the same.
 */

export type CommonDashboardOptions = {
  /** Prometheus datasource uid; "prometheus" by default. */
  datasourceUid?: string;
  /** Extra tags added to every dashboard. */
  tags?: string[];
  /** Default time range, e.g. "now-24h". */
  timeFrom?: string;
  refresh?: string;
};

export const DEFAULT_PROMETHEUS_DATASOURCE_UID = "prometheus";

export function promDatasource(uid: string = DEFAULT_PROMETHEUS_DATASOURCE_UID): DataSourceRef {
  return { type: "prometheus", uid };
}

export function promTarget(
  ds: DataSourceRef,
  refId: string,
  expr: string,
  opts: { legend?: string; instant?: boolean; table?: boolean; interval?: string } = {},
): PromTarget {
  const t: PromTarget = { refId, datasource: ds, expr, editorMode: "code" };
  if (opts.legend !== undefined) t.legendFormat = opts.legend;
  if (opts.table) t.format = "table";
  if (opts.instant) {
    t.instant = true;
    t.range = false;
  } else {
    t.range = true;
  }
  if (opts.interval) t.interval = opts.interval;
  return t;
}

export function thresholds(steps: Array<[string, number | null]>): { mode: "absolute"; steps: Threshold[] } {
  return { mode: "absolute", steps: steps.map(([color, value]) => ({ color, value })) };
}

type PanelInit = {
  title: string;
  description?: string;
  targets: PromTarget[];
  unit?: string;
  decimals?: number;
  min?: number;
  max?: number;
  thresholds?: Array<[string, number | null]>;
  timeFrom?: string;
  interval?: string;
  links?: Array<{ title: string; url: string }>;
};

function fieldConfig(init: PanelInit, custom: Record<string, unknown>, colorMode: string): FieldConfig {
  const defaults: FieldConfig["defaults"] = {
    color: { mode: colorMode },
    custom,
    mappings: [],
    thresholds: thresholds(init.thresholds ?? [["green", null]]),
  };
  if (init.unit !== undefined) defaults.unit = init.unit;
  if (init.decimals !== undefined) defaults.decimals = init.decimals;
  if (init.min !== undefined) defaults.min = init.min;
  if (init.max !== undefined) defaults.max = init.max;
  if (init.links) defaults.links = init.links;
  return { defaults, overrides: [] };
}

function basePanel(type: Panel["type"], init: PanelInit, ds: DataSourceRef): Panel {
  const p: Panel = { id: 0, type, title: init.title, gridPos: { h: 8, w: 12, x: 0, y: 0 }, datasource: ds, targets: init.targets };
  if (init.description) p.description = init.description;
  if (init.timeFrom) p.timeFrom = init.timeFrom;
  if (init.interval) p.interval = init.interval;
  return p;
}

/** Line chart, legend as a table at the bottom with last and max values. */
export function timeseries(ds: DataSourceRef, init: PanelInit & { stack?: boolean; thresholdLines?: boolean }): Panel {
  const p = basePanel("timeseries", init, ds);
  p.fieldConfig = fieldConfig(
    init,
    {
      drawStyle: "line",
      lineWidth: 1,
      fillOpacity: init.stack ? 30 : 10,
      gradientMode: "none",
      showPoints: "never",
      spanNulls: false,
      stacking: { group: "A", mode: init.stack ? "normal" : "none" },
      thresholdsStyle: { mode: init.thresholdLines ? "line+area" : "off" },
      axisSoftMin: init.min === undefined ? undefined : init.min,
    },
    "palette-classic",
  );
  p.options = {
    legend: { calcs: ["lastNotNull", "max"], displayMode: "table", placement: "bottom", showLegend: true },
    tooltip: { mode: "multi", sort: "desc" },
  };
  return p;
}

/** Single big number coloured by thresholds. */
export function stat(ds: DataSourceRef, init: PanelInit & { graph?: boolean }): Panel {
  const p = basePanel("stat", init, ds);
  p.fieldConfig = fieldConfig(init, {}, "thresholds");
  p.options = {
    colorMode: "background",
    graphMode: init.graph ? "area" : "none",
    justifyMode: "auto",
    orientation: "auto",
    reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
    textMode: "auto",
    wideLayout: true,
  };
  return p;
}

export function table(
  ds: DataSourceRef,
  init: PanelInit & { transformations: Transformation[]; overrides?: FieldConfig["overrides"]; sortBy?: { displayName: string; desc: boolean } },
): Panel {
  const p = basePanel("table", init, ds);
  const fc = fieldConfig(init, { align: "auto", cellOptions: { type: "auto" }, inspect: false }, "thresholds");
  fc.overrides = init.overrides ?? [];
  p.fieldConfig = fc;
  p.transformations = init.transformations;
  p.options = {
    cellHeight: "sm",
    footer: { countRows: false, fields: "", reducer: ["sum"], show: false },
    showHeader: true,
    sortBy: init.sortBy ? [init.sortBy] : [],
  };
  return p;
}

export function textPanel(title: string, content: string): Panel {
  return {
    id: 0,
    type: "text",
    title,
    gridPos: { h: 3, w: 24, x: 0, y: 0 },
    options: { mode: "markdown", content, code: { language: "plaintext", showLineNumbers: false, showMiniMap: false } },
  };
}

export function override(name: string, properties: Record<string, unknown>): FieldConfig["overrides"][number] {
  return {
    matcher: { id: "byName", options: name },
    properties: Object.entries(properties).map(([id, value]) => ({ id, value })),
  };
}

/**
 * Lays panels out left to right on Grafana's 24-column grid, wrapping when a row is full.
 * `row(title)` starts a new (expanded) row panel. Panel ids are assigned in order from 1.
 */
export class GridLayout {
  private readonly out: Panel[] = [];
  private x = 0;
  private y = 0;
  private rowHeight = 0;
  private nextId = 1;

  row(title: string): this {
    this.newline();
    this.out.push({ id: this.nextId++, type: "row", title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y: this.y }, panels: [] });
    this.y += 1;
    return this;
  }

  add(panel: Panel, w: number, h: number): this {
    if (this.x + w > 24) this.newline();
    this.out.push({ ...panel, id: this.nextId++, gridPos: { h, w, x: this.x, y: this.y } });
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
    return this;
  }

  panels(): Panel[] {
    return this.out;
  }

  private newline(): void {
    if (this.x > 0) {
      this.y += this.rowHeight;
      this.x = 0;
      this.rowHeight = 0;
    }
  }
}

/** Multi-select query variable over label values, with "All" as `.*`. */
export function labelValuesVariable(
  ds: DataSourceRef,
  name: string,
  label: string,
  query: string,
  opts: { multi?: boolean; current?: string; hide?: 0 | 1 | 2 } = {},
): TemplateVariable {
  const multi = opts.multi ?? true;
  const current = opts.current ?? (multi ? "$__all" : "");
  const text = current === "$__all" ? "All" : current;
  return {
    name,
    label,
    type: "query",
    datasource: ds,
    definition: query,
    query: { query, refId: `PrometheusVariableQueryEditor-${name}`, qryType: 1 },
    current: multi ? { selected: true, text: [text], value: [current] } : { selected: true, text, value: current },
    options: [],
    multi,
    includeAll: multi,
    ...(multi ? { allValue: ".*" } : {}),
    refresh: 2,
    hide: opts.hide ?? 0,
    sort: 1,
    regex: "",
    skipUrlSync: false,
  };
}

export function builtInAnnotation(): Annotation {
  return {
    name: "Annotations & Alerts",
    builtIn: 1,
    datasource: { type: "grafana", uid: "-- Grafana --" },
    enable: true,
    hide: true,
    iconColor: "rgba(0, 211, 255, 1)",
    type: "dashboard",
    target: { limit: 100, matchAny: false, tags: [], type: "dashboard" },
  };
}

/** Prometheus annotation: one marker per firing period of the matching ALERTS series. */
export function alertsAnnotation(ds: DataSourceRef, name: string, expr: string, titleFormat: string, tagKeys: string): Annotation {
  return {
    name,
    datasource: ds,
    enable: true,
    hide: false,
    iconColor: "red",
    expr,
    step: "60s",
    titleFormat,
    textFormat: "",
    tagKeys,
    useValueForTime: false,
  };
}

export function dashboardShell(init: {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  panels: Panel[];
  variables: TemplateVariable[];
  annotations?: Annotation[];
  opts: CommonDashboardOptions;
  defaultFrom?: string;
}): Dashboard {
  const tags = [...new Set(["burnrate", ...init.tags, ...(init.opts.tags ?? [])])].sort();
  return stampDashboard({
    uid: init.uid,
    title: init.title,
    description: init.description,
    tags,
    timezone: "browser",
    editable: true,
    graphTooltip: 1,
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    time: { from: init.opts.timeFrom ?? init.defaultFrom ?? "now-24h", to: "now" },
    refresh: init.opts.refresh ?? "1m",
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: "",
    templating: { list: init.variables },
    annotations: { list: [builtInAnnotation(), ...(init.annotations ?? [])] },
    links: [
      {
        title: "Burnrate",
        type: "dashboards",
        tags: ["burnrate"],
        asDropdown: true,
        includeVars: false,
        keepTime: true,
        targetBlank: false,
        icon: "external link",
        tooltip: "",
        url: "",
      },
    ],
    panels: init.panels,
  });
}

/** Regex alternation of exact values for a `=~` matcher, with regex metacharacters escaped. */
export function regexAlternation(values: string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}
