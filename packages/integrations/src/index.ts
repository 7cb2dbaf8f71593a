export * from "./http";
export * from "./prometheus";
export * from "./alertmanager";
export * from "./push";
export * from "./exporter/index";
