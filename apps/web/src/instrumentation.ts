export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { bootstrapAdmin } = await import("./server/bootstrap");
    await bootstrapAdmin().catch((e: unknown) => console.error("[burnrate] could not create the first administrator", e));
    const { startReconciler } = await import("./server/reconciler");
    startReconciler();
  }
}
