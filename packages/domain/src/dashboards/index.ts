export type {
  Annotation as DashboardAnnotation,
  Dashboard,
  DashboardLink,
  DataSourceRef,
  FieldConfig,
  GridPos,
  Panel,
  PanelType,
  PromTarget,
  TemplateVariable,
  Transformation,
} from "./model";
export {
  BURNRATE_DASHBOARD_VERSION,
  DASHBOARD_SCHEMA_VERSION,
  dashboardContentHash,
  dashboardJson,
  dashboardUid,
  readDashboardStamp,
  sortJsonKeys,
  stampDashboard,
} from "./model";
/** House-style panel/variable/layout helpers (timeseries, stat, table, GridLayout, ...). */
export * as dashboardKit from "./builder";
export { type CommonDashboardOptions, DEFAULT_PROMETHEUS_DATASOURCE_UID } from "./builder";
export {
  SLO_DASHBOARD_BURN_WINDOWS,
  SLO_DASHBOARD_LONG_WINDOWS,
  type SloDashboardBundle,
  type SloDashboardOptions,
  serviceSloDashboard,
  sloDashboardBurnWindows,
  sloDashboardPeriodWindow,
  sloOverviewDashboard,
} from "./slo";
export { type GoldenSignalsOptions, goldenSignalsDashboard } from "./golden";
export { type DoraDashboardOptions, doraDashboard } from "./dora";
export { type DashboardExpr, dashboardExpressions, metricNamesInExpr, substituteGrafanaVariables } from "./promql";
