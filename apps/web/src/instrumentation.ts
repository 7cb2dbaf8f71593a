export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // A malformed setting stops the server at start with the reason, not at the first request.
    const { env } = await import("./lib/env");
    try {
      env();
    } catch (err) {
      console.error(`[burnrate] ${(err as Error).message}`);
      process.exit(1);
    }
    const e = env();
    if (e.BURNRATE_OIDC_ISSUER && e.BURNRATE_OIDC_AUTO_CREATE !== "off" && !e.BURNRATE_OIDC_ALLOWED_DOMAINS) {
      console.warn("[burnrate] single sign-on creates an account for anyone your identity provider accepts (read access to everything); set BURNRATE_OIDC_ALLOWED_DOMAINS or BURNRATE_OIDC_AUTO_CREATE=off unless that is what you want");
    }
    const { bootstrapAdmin, secureStoredSecrets } = await import("./server/bootstrap");
    await bootstrapAdmin().catch((e: unknown) => console.error("[burnrate] could not create the first administrator", e));
    await secureStoredSecrets().catch((e: unknown) => console.error("[burnrate] could not secure stored secrets", e));
    const { startReconciler } = await import("./server/reconciler");
    startReconciler();
  }
}
