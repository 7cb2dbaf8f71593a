// GET /api/v1/users – users, team roles, SSO link, last sign-in (admins); POST – create a user (admins)
import { created, readJson, withApi } from "~/server/http/api";
import { createUser, listUsers } from "~/server/services/users";

export const dynamic = "force-dynamic";
export const GET = withApi(async (_req, _p, me) => listUsers(me));
export const POST = withApi(async (req, _p, me) => created(await createUser(await readJson(req), me)));
