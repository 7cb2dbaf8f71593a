// GET /api/v1/slos/:slug/deployment – per rule target: rules live since T, or not deployed since T and why
import { withApi } from "~/server/http/api";
import { sloDeployment } from "~/server/services/targets";

export const dynamic = "force-dynamic";
export const GET = withApi<{ slug: string }>(async (_req, p, me) => ({ items: await sloDeployment(p.slug, me) }));
