"use client";
import type { Slo } from "~/lib/types";

export function SloLive({ slo }: { slo: Slo }) {
  return <div className="card"><p className="muted">Live status for {slo.name} appears once Prometheus is configured.</p></div>;
}
