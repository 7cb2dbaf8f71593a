export * from "./http";
export * from "./prometheus";
export * from "./alertmanager";
export * from "./push";
export * from "./grafana";
export * from "./mimir";
export * from "./exporter/index";
export * from "./webhooks/index";
