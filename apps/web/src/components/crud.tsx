"use client";
import { useState } from "react";
import { ApiClientError } from "~/lib/api-client";

/** Form state helpers: field errors from the API (or client-side zod) keyed by dotted path. */
export function useFieldErrors() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  return {
    errors,
    formError,
    clear: () => {
      setErrors({});
      setFormError(null);
    },
    fromError: (err: unknown) => {
      if (err instanceof ApiClientError) {
        setErrors(err.fields);
        setFormError(err.status === 409 ? err.message : Object.keys(err.fields).length ? "Please fix the highlighted fields." : err.message);
      } else {
        setFormError(err instanceof Error ? err.message : String(err));
      }
    },
    setErrors,
    setFormError,
  };
}

export function cls(invalid: boolean | undefined, extra = ""): string {
  return `${extra} ${invalid ? "invalid" : ""}`.trim();
}
