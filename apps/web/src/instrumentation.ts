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
    const { bootstrapAdmin } = await import("./server/bootstrap");
    await bootstrapAdmin().catch((e: unknown) => console.error("[burnrate] could not create the first administrator", e));
    const { startReconciler } = await import("./server/reconciler");
    startReconciler();
  }
}
