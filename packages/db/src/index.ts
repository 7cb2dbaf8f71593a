export { createDb, type Db } from "./client";
export * from "./generated/client";
export { migrateDeploy, migrationStatus, readMigrations } from "./migrate";
export { seedDemo, seedDemoDelivery } from "./seed";
