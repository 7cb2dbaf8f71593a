/** The colour theme: "system" follows the OS (prefers-color-scheme); "light"/"dark" are the user's choice, kept in a cookie. */
export type Theme = "system" | "light" | "dark";
export const THEME_COOKIE = "burnrate-theme";

export function parseTheme(v: string | undefined | null): Theme {
  return v === "light" || v === "dark" ? v : "system";
}

const ORDER: Theme[] = ["system", "light", "dark"];
/** The toggle cycles system → light → dark → system. */
export function nextTheme(cur: Theme): Theme {
  return ORDER[(ORDER.indexOf(cur) + 1) % ORDER.length] ?? "system";
}
