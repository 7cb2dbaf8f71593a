export { createDb, type Db } from "./client";
export * from "./generated/client";
export { migrateDeploy, migrationStatus, readMigrations } from "./migrate";
export { seedDemo, seedDemoDelivery } from "./seed";
export { createApiToken, ensureUser, hashPassword, newApiToken, seedDemoUsers, sha256, verifyPassword } from "./auth";
export { loadDoraRows } from "./delivery";
export { decryptWithKeys, encryptPlainReceiverSecrets, encryptWithKey, receiverSecretValues, redactStoredRevisions, reencryptStoredSecrets, type SecretKeys } from "./secrets";
