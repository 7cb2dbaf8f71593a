// POST /api/v1/import?format=openslo|sloth[&apply=1][&defaultTeam=] – body: YAML text. Without
// apply it only validates and returns the plan; with apply it creates everything or nothing.
import { ApiError } from "~/server/http/errors";
import { withApi } from "~/server/http/api";
import { importCatalogue } from "~/server/services/interchange";

export const dynamic = "force-dynamic";
export const POST = withApi(async (req, _p, me) => {
  const q = req.nextUrl.searchParams;
  const ct = req.headers.get("content-type") ?? "";
  if (!/yaml|text\/plain/.test(ct)) throw new ApiError("bad_request", "Content-Type must be application/yaml (or text/plain)");
  return importCatalogue(q.get("format") ?? "openslo", await req.text(), { apply: q.get("apply") === "1", defaultTeam: q.get("defaultTeam") || undefined }, me);
});
