import "server-only";
import { checkHost, isIpAddress, parseOutboundPolicy, type OutboundPolicy } from "@burnrate/domain";
import { lookup } from "node:dns/promises";
import { env } from "~/lib/env";
import { ApiError } from "./http/errors";

/**
 * SSRF guard at the I/O edge: the policy (BURNRATE_OUTBOUND_ALLOW, see @burnrate/domain
 * net/outbound) is applied when a target or receiver URL is saved and again right before every
 * push, because a name that resolved to a harmless address at save time may point at the cloud
 * metadata service later (DNS rebinding).
 */

/** getaddrinfo has no timeout of its own; a hung resolver must not hang a save or a push. */
const LOOKUP_TIMEOUT_MS = 5_000;

let cached: { text: string | undefined; policy: OutboundPolicy } | undefined;

function policy(): OutboundPolicy {
  const text = env().BURNRATE_OUTBOUND_ALLOW;
  if (cached && cached.text === text) return cached.policy;
  try {
    cached = { text, policy: parseOutboundPolicy(text) };
  } catch (err) {
    throw new Error(`invalid environment: BURNRATE_OUTBOUND_ALLOW: ${(err as Error).message}`, { cause: err });
  }
  return cached.policy;
}

/** All addresses of a name, or [] when it does not resolve (yet): the policy decides what that means. */
async function resolve(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("DNS lookup timed out")), LOOKUP_TIMEOUT_MS);
    timer.unref();
  });
  try {
    const answers = await Promise.race([lookup(host, { all: true }), timeout]);
    return answers.map((a) => a.address);
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}

/** Why the URL may not be contacted ("10.0.0.5 is not allowed by …"), or null when it may. */
export async function outboundRefusal(url: string): Promise<string | null> {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return `${url} is not a valid URL`;
  }
  const p = policy();
  // IP literals are checked as they are; only names need DNS.
  const addresses = isIpAddress(host) ? [] : await resolve(host);
  const r = checkHost(p, host, addresses);
  return r.ok ? null : `${host} is not allowed by BURNRATE_OUTBOUND_ALLOW (${r.reason})`;
}

/** Throws a 422 on `field` (e.g. "url", "config.url") when the policy refuses the URL. */
export async function assertOutboundAllowed(url: string, field: string): Promise<void> {
  const why = await outboundRefusal(url);
  if (why) throw new ApiError("validation_failed", `${field}: ${why}`, { [field]: why });
}
