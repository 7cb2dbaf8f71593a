/**
 * Semantic comparison of a desired Alertmanager config with `config.original` from /api/v2/status.
 *
 * Alertmanager re-serializes the loaded config: it fills in defaults (global.resolve_timeout,
 * http_config.follow_redirects, ...), hides secrets as "<secret>", normalizes durations ("60m" → "1h")
 * and matchers (`severity=page` → `severity="page"`). So we check that every value the desired
 * config sets is present and equivalent in the loaded one; keys only present in the loaded config
 * are treated as defaults. Lists must have the same length (extra routes/receivers are drift).
 */

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

export function parseDurationMs(s: string): number | undefined {
  if (s === "0") return 0;
  const m = DURATION_RE.exec(s);
  if (!m || s === "") return undefined;
  let total = 0;
  for (let i = 1; i < m.length; i++) if (m[i]) total += Number(m[i]) * (UNIT_MS[i - 1] ?? 0);
  return total;
}

const MATCHER_RE = /^\s*\{?\s*([A-Za-z_][A-Za-z0-9_]*|"[^"]*")\s*(=~|!~|!=|=)\s*(.*?)\s*\}?\s*$/;

function normMatcher(s: string): string | undefined {
  const m = MATCHER_RE.exec(s);
  if (!m) return undefined;
  const [, rawName, op, rawValue] = m as unknown as [string, string, string, string];
  let name = rawName;
  let value = rawValue;
  if (name.startsWith('"')) name = name.slice(1, -1);
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    try {
      value = JSON.parse(value) as string;
    } catch {
      value = value.slice(1, -1);
    }
  }
  return `${name}${op}${value}`;
}

export interface EquivalenceDifference {
  path: string;
  desired: unknown;
  loaded: unknown;
}

function scalarEquivalent(d: unknown, l: unknown, pathStr: string): boolean {
  if (d === l) return true;
  if (l === "<secret>" && (typeof d === "string" || typeof d === "number")) return true;
  if ((typeof d === "string" || typeof d === "number" || typeof d === "boolean") && (typeof l === "string" || typeof l === "number" || typeof l === "boolean")) {
    if (String(d) === String(l)) return true;
    if (typeof d === "string" && typeof l === "string") {
      const dd = parseDurationMs(d);
      const ll = parseDurationMs(l);
      if (dd !== undefined && ll !== undefined) return dd === ll;
      if (/matchers$/.test(pathStr.replace(/\[\d+\]$/, ""))) {
        const dm = normMatcher(d);
        const lm = normMatcher(l);
        if (dm !== undefined && dm === lm) return true;
      }
      // URLs may be re-serialized with a trailing slash normalization.
      if (/^https?:\/\//.test(d) && /^https?:\/\//.test(l)) {
        try {
          return new URL(d).toString() === new URL(l).toString();
        } catch {
          return false;
        }
      }
    }
  }
  return false;
}

/** Returns the differences (empty = equivalent). */
export function configDifferences(desired: unknown, loaded: unknown, pathStr = "", out: EquivalenceDifference[] = []): EquivalenceDifference[] {
  if (desired === null || desired === undefined) return out; // unset → default
  if (Array.isArray(desired)) {
    if (!Array.isArray(loaded) || loaded.length !== desired.length) {
      if (desired.length === 0 && (loaded === null || loaded === undefined)) return out;
      out.push({ path: pathStr || "(root)", desired, loaded });
      return out;
    }
    desired.forEach((d, i) => configDifferences(d, loaded[i], `${pathStr}[${i}]`, out));
    return out;
  }
  if (typeof desired === "object") {
    if (loaded === null || typeof loaded !== "object" || Array.isArray(loaded)) {
      if (Object.keys(desired).length === 0 && (loaded === null || loaded === undefined)) return out;
      out.push({ path: pathStr || "(root)", desired, loaded });
      return out;
    }
    for (const [k, v] of Object.entries(desired as Record<string, unknown>)) {
      configDifferences(v, (loaded as Record<string, unknown>)[k], pathStr ? `${pathStr}.${k}` : k, out);
    }
    return out;
  }
  if (!scalarEquivalent(desired, loaded, pathStr)) out.push({ path: pathStr || "(root)", desired, loaded });
  return out;
}

export function configsEquivalent(desired: unknown, loaded: unknown): boolean {
  return configDifferences(desired, loaded).length === 0;
}
