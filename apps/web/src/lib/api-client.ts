"use client";
import { useMutation, useQuery, useQueryClient, type UseQueryOptions } from "@tanstack/react-query";

/** Error returned by the Burnrate API: `{ error: { code, message, fields? } }`. */
export class ApiClientError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

let redirectingToLogin = false;

export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? "GET",
      headers: init.body !== undefined ? { "content-type": "application/json" } : {},
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
  } catch {
    throw new ApiClientError(0, "network", "Cannot reach the Burnrate server. Check your connection and try again.");
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiClientError(res.status, "bad_response", `Unexpected response from the server (HTTP ${res.status}).`);
  }
  if (res.status === 401 && typeof window !== "undefined" && !path.startsWith("/api/auth/") && window.location.pathname !== "/login" && !redirectingToLogin) {
    // Several queries fail at once when a session ends; navigate once (a second navigation would abort the first).
    redirectingToLogin = true;
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; fields?: Record<string, string> } } | undefined)?.error;
    throw new ApiClientError(res.status, e?.code ?? "error", e?.message ?? `HTTP ${res.status}`, e?.fields ?? {});
  }
  return json as T;
}

export function useApi<T>(key: unknown[], path: string | null, opts: Partial<UseQueryOptions<T, ApiClientError>> = {}) {
  return useQuery<T, ApiClientError>({
    queryKey: key,
    queryFn: () => apiFetch<T>(path ?? ""),
    enabled: path !== null,
    ...opts,
  });
}

/** Mutation that invalidates the given query keys on success. */
export function useApiMutation<TVars, TOut = unknown>(fn: (v: TVars) => Promise<TOut>, invalidate: unknown[][] = []) {
  const qc = useQueryClient();
  return useMutation<TOut, ApiClientError, TVars>({
    mutationFn: fn,
    onSuccess: async () => {
      await Promise.all(invalidate.map((k) => qc.invalidateQueries({ queryKey: k })));
    },
  });
}
