import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../src/client";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../src/embedded";
import { migrateDeploy } from "../src/migrate";
import { decryptWithKeys, encryptPlainReceiverSecrets, encryptWithKey, receiverSecretValues, redactStoredRevisions, reencryptStoredSecrets } from "../src/secrets";
import { seedDemo } from "../src/seed";

/**
 * Secrets at rest on a real PostgreSQL: key rotation (old key accepted during the switch, every
 * value rewritten under the new one), receivers whose secrets sit in plain config (seeded demo
 * data, older versions) get encrypted, and Alertmanager revisions stored with secrets inside are
 * redacted (security round 2, finding 1).
 */
let pgServer: EmbeddedDatabase;
let dir: string;
let db: Db;
const OLD = "old-key-0123456789abcdef";
const NEW = "new-key-fedcba9876543210";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "burnrate-secrets-test-"));
  chmodSync(dir, 0o755);
  pgServer = await startEmbeddedPostgres({ dataDir: join(dir, "pg") });
  await migrateDeploy(pgServer.url);
  db = createDb(pgServer.url);
  await seedDemo(db);
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await pgServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("secrets at rest", () => {
  it("seeded receivers keep no secret in plain config once encrypted at start", async () => {
    const before = await db.alertReceiver.findMany();
    expect(before.length).toBeGreaterThan(0);
    expect(before.some((r) => typeof (r.config as Record<string, unknown>).url === "string")).toBe(true);
    expect(await encryptPlainReceiverSecrets(db, { current: OLD })).toBe(before.length);
    for (const r of await db.alertReceiver.findMany()) {
      expect((r.config as Record<string, unknown>).url).toBeUndefined();
      expect(JSON.parse(decryptWithKeys(r.secretCiphertext ?? "", { current: OLD }).plain)).toMatchObject({ url: expect.stringMatching(/^http:\/\//) });
    }
    expect(await encryptPlainReceiverSecrets(db, { current: OLD })).toBe(0);
  });

  it("rotates BURNRATE_SECRET_KEY: the previous key is read during the switch, then nothing needs it", async () => {
    const team = await db.team.findFirstOrThrow();
    const target = await db.pushTarget.create({ data: { name: "am", kind: "alertmanager", url: "http://127.0.0.1:9093", mode: "file", settings: {}, tokenCiphertext: encryptWithKey("target-token", OLD) } });
    await db.webhookIntegration.create({ data: { name: "gh", provider: "github", secretCiphertext: encryptWithKey("gh-secret", OLD) } });
    expect(() => decryptWithKeys(target.tokenCiphertext ?? "", { current: NEW })).toThrow("BURNRATE_SECRET_KEY_PREVIOUS");
    expect(decryptWithKeys(target.tokenCiphertext ?? "", { current: NEW, previous: OLD })).toEqual({ plain: "target-token", stale: true });

    const receivers = await db.alertReceiver.count();
    const r = await reencryptStoredSecrets(db, { current: NEW, previous: OLD });
    expect(r).toEqual({ reencrypted: receivers + 2, unreadable: [] });
    // Now the new key alone reads everything, and a second run has nothing to do.
    expect(decryptWithKeys((await db.pushTarget.findUniqueOrThrow({ where: { id: target.id } })).tokenCiphertext ?? "", { current: NEW })).toEqual({ plain: "target-token", stale: false });
    expect(decryptWithKeys((await db.webhookIntegration.findFirstOrThrow()).secretCiphertext, { current: NEW }).plain).toBe("gh-secret");
    expect(Object.keys(await receiverSecretValues(db, { current: NEW })).length).toBe(receivers);
    expect(await reencryptStoredSecrets(db, { current: NEW })).toEqual({ reencrypted: 0, unreadable: [] });
    expect(team).toBeTruthy();
  });

  it("redacts Alertmanager revisions stored with receiver secrets, once", async () => {
    const target = await db.pushTarget.findFirstOrThrow({ where: { kind: "alertmanager" } });
    const old = "receivers:\n  - name: payments/hook\n    webhook_configs: [{ url: 'https://hooks.example.com/T0PSECRET' }]\n";
    const rev = await db.revision.create({ data: { targetId: target.id, hash: "h", artifacts: { files: [{ path: "alertmanager.yml", content: old }] }, status: "failed", error: "refused https://hooks.example.com/T0PSECRET", triggeredBy: "t" } });
    await db.pushTarget.update({ where: { id: target.id }, data: { statusMessage: "validate: refused https://hooks.example.com/T0PSECRET" } });
    expect(await redactStoredRevisions(db, { "receiver/hook/url": "https://hooks.example.com/T0PSECRET" })).toBe(1);
    const after = await db.revision.findUniqueOrThrow({ where: { id: rev.id } });
    expect(JSON.stringify(after)).not.toContain("T0PSECRET");
    expect(JSON.stringify(after.artifacts)).toContain("<secret:receiver/hook/url>");
    expect((await db.pushTarget.findUniqueOrThrow({ where: { id: target.id } })).statusMessage).not.toContain("T0PSECRET");
    expect(await redactStoredRevisions(db, {})).toBe(0);
  });
});
