// PATCH /api/v1/users/:id {name?, password?, isAdmin?, disabled?, memberships?} – change a user (admins)
import { readJson, withApi } from "~/server/http/api";
import { updateUser } from "~/server/services/users";

export const dynamic = "force-dynamic";
type P = { id: string };
export const PATCH = withApi<P>(async (req, p, me) => updateUser(p.id, await readJson(req), me));
