"use client";
import { useApi } from "./api-client";

export type Me = { email: string; name: string; isAdmin: boolean; roles: Record<string, "viewer" | "editor" | "admin">; via: string; authEnabled: boolean };

/** The signed-in user and what they may change. The server enforces the same rules. */
export function useMe() {
  const me = useApi<Me>(["me"], "/api/auth/me", { staleTime: 60_000, retry: false });
  const m = me.data;
  const role = (team: string) => (m?.isAdmin ? "admin" : (m?.roles[team] ?? null));
  return {
    me: m,
    loading: me.isLoading,
    canEdit: (team: string | undefined) => Boolean(m && team && (role(team) === "editor" || role(team) === "admin")),
    canEditAny: Boolean(m && (m.isAdmin || Object.values(m.roles).some((r) => r !== "viewer"))),
    isAdmin: Boolean(m?.isAdmin),
    editableTeams: (all: string[]) => all.filter((t) => role(t) === "editor" || role(t) === "admin"),
    /** Why this user may not change team `team`'s objects, or null when they may (or while loading). */
    whyReadOnly: (team: string | undefined, what = "this"): string | null => {
      if (!m || !team) return null;
      const r = role(team);
      if (r === "editor" || r === "admin") return null;
      return r === "viewer"
        ? `You are a viewer of team "${team}"; only its editors and administrators can change ${what}.`
        : `${what[0]?.toUpperCase() ?? ""}${what.slice(1)} belongs to team "${team}", which you are not an editor of.`;
    },
  };
}

/**
 * Whether SSO users' roles follow their identity-provider groups (BURNRATE_OIDC_ROLE_MAPPING), and
 * the SSO name: edits to their roles in Burnrate are replaced at their next sign-in.
 */
export function useSsoRoleSync(): { rolesFromGroups: boolean; ssoName: string | null } {
  const p = useApi<{ oidc: { name: string; rolesFromGroups: boolean } | null }>(["auth-providers"], "/api/auth/providers", { staleTime: 300_000 });
  return { rolesFromGroups: Boolean(p.data?.oidc?.rolesFromGroups), ssoName: p.data?.oidc?.name ?? null };
}
