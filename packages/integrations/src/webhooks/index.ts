export type { WebhookParse } from "./common";
export * from "./signatures";
export * from "./deployments";
export * from "./alertmanager";
