"use client";
import { PageHead } from "~/components/ui";

export default function Home() {
  return <PageHead title="On-call board" subtitle="Burn rates and error budgets for every SLO." />;
}
