export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startReconciler } = await import("./server/reconciler");
    startReconciler();
  }
}
