import "server-only";
import { checkHost, isIpAddress, parseOutboundPolicy, receiverUrls, type OutboundPolicy, type ReceiverUrl } from "@burnrate/domain";
import { lookup } from "node:dns/promises";
import { env } from "~/lib/env";
import { ApiError } from "./http/errors";

/**
 * SSRF guard at the I/O edge: the policy (BURNRATE_OUTBOUND_ALLOW, see @burnrate/domain
 * net/outbound) is applied when a target or receiver URL is saved and again right before every
 * push, because a name that resolved to a harmless address at save time may point at the cloud
 * metadata service later (DNS rebinding). The team-receiver URLs inside a generated
 * alertmanager.yml are re-checked before each Alertmanager push too (Alertmanager connects to
 * them itself, and does not follow their redirects: see the domain's Alertmanager config).
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

/**
 * All addresses of a name, or [] when it does not resolve (no such name, resolver error or
 * timeout): the policy decides what that means (the default lets it through, "public" and an
 * allow-list refuse it unless the name is listed).
 */
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

let receiverCached: { text: string | undefined; policy: OutboundPolicy | null } | undefined;

/** BURNRATE_RECEIVER_ALLOW: hosts/CIDRs receivers may use although they are loopback or private. */
function receiverAllowList(): OutboundPolicy | null {
  const text = env().BURNRATE_RECEIVER_ALLOW;
  if (receiverCached && receiverCached.text === text) return receiverCached.policy;
  const parsed = text ? parseOutboundPolicy(text) : null;
  receiverCached = { text, policy: parsed && parsed.mode === "allow" ? parsed : null };
  return receiverCached.policy;
}

/**
 * Receivers (Alertmanager connects to them, teams' editors choose them) are held to more than
 * BURNRATE_OUTBOUND_ALLOW: by default no loopback, private, link-local or reserved address and no
 * name that does not resolve ("public"), unless the host is listed in BURNRATE_RECEIVER_ALLOW.
 */
async function receiverHostRefusal(host: string): Promise<string | null> {
  const base = await hostRefusal(host);
  if (base) return base;
  const addresses = isIpAddress(host) ? [] : await resolve(host);
  if (checkHost({ mode: "public" }, host, addresses).ok) return null;
  const allow = receiverAllowList();
  if (allow && checkHost(allow, host, addresses).ok) return null;
  const r = checkHost({ mode: "public" }, host, addresses);
  return `${host} is not allowed for alert receivers (${r.ok ? "" : r.reason}); an administrator can allow it with BURNRATE_RECEIVER_ALLOW`;
}

/** Why a receiver URL may not be used, or null. */
export async function receiverUrlRefusal(url: string): Promise<string | null> {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return "not a valid URL";
  }
  return receiverHostRefusal(host);
}

/** Throws a 422 on `field` when the receiver policy refuses the URL. */
export async function assertReceiverUrlAllowed(url: string, field: string): Promise<void> {
  const why = await receiverUrlRefusal(url);
  if (why) throw new ApiError("validation_failed", `${field}: ${why}`, { [field]: why });
}

/** Why the host may not be contacted, or null when it may. Names only the host, never a path. */
async function hostRefusal(host: string): Promise<string | null> {
  const p = policy();
  // IP literals are checked as they are; only names need DNS.
  const addresses = isIpAddress(host) ? [] : await resolve(host);
  const r = checkHost(p, host, addresses);
  if (r.ok) return null;
  // "could not resolve x.example; refused under …" already is a whole sentence.
  return r.unresolved ? r.reason : `${host} is not allowed by BURNRATE_OUTBOUND_ALLOW (${r.reason})`;
}

/** Why the URL may not be contacted ("10.0.0.5 is not allowed by …"), or null when it may. */
export async function outboundRefusal(url: string): Promise<string | null> {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return `${url} is not a valid URL`;
  }
  return hostRefusal(host);
}

/**
 * Why the team webhook/Slack URLs of an alertmanager.yml may not be contacted: one message per
 * refused URL, naming the receiver (`team/slug`), the field and the host, never the URL itself
 * (its path is the secret). Empty when every URL is allowed. Each host is resolved once.
 */
export async function receiverUrlRefusals(alertmanagerYaml: string, more: ReceiverUrl[] = []): Promise<string[]> {
  let urls: ReturnType<typeof receiverUrls>;
  try {
    urls = [...receiverUrls(alertmanagerYaml), ...more];
  } catch {
    // Not the parser's message: it may quote a line of the file, secrets included.
    return ["alertmanager.yml could not be read to check its receiver URLs"];
  }
  const hosts = new Map<string, Promise<string | null>>();
  const checks = urls.map(async (u) => {
    const where = `receiver "${u.receiver}" (${u.field})`;
    let host: string;
    try {
      host = new URL(u.url).hostname;
    } catch {
      return `${where}: not a valid URL`;
    }
    let refusal = hosts.get(host);
    if (!refusal) hosts.set(host, (refusal = receiverHostRefusal(host)));
    const why = await refusal;
    return why ? `${where}: ${why}` : null;
  });
  return (await Promise.all(checks)).filter((m): m is string => m !== null);
}

/** Throws a 422 on `field` (e.g. "url", "config.url") when the policy refuses the URL. */
export async function assertOutboundAllowed(url: string, field: string): Promise<void> {
  const why = await outboundRefusal(url);
  if (why) throw new ApiError("validation_failed", `${field}: ${why}`, { [field]: why });
}
