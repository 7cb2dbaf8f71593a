"use client";
import { SloForm } from "~/components/slo-form";
import { PageHead } from "~/components/ui";

export default function NewSloPage() {
  return (
    <>
      <PageHead title="New SLO" subtitle="An objective for one SLI over a rolling or calendar window. Rules and alerts are generated and pushed on save." />
      <SloForm />
    </>
  );
}
