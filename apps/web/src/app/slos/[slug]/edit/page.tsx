"use client";
import { useParams } from "next/navigation";
import { SloForm } from "~/components/slo-form";
import { ErrorBox, Loading, PageHead } from "~/components/ui";
import { useApi } from "~/lib/api-client";
import type { Slo } from "~/lib/types";

export default function EditSloPage() {
  const { slug } = useParams<{ slug: string }>();
  const slo = useApi<Slo>(["slo", slug], `/api/v1/slos/${slug}`);
  return (
    <>
      <PageHead title={slo.data ? `Edit ${slo.data.name}` : "Edit SLO"} />
      <ErrorBox error={slo.error} title="Could not load the SLO" />
      {slo.isLoading ? <Loading /> : null}
      {slo.data ? <SloForm existing={slo.data} /> : null}
    </>
  );
}
