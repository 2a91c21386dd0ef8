// Origin allow-list for WebSocket upgrades (PROTOCOL.md §8.18 rule 7). Pure: the uWS adapter
// asks it in `upgrade` and answers 403 before upgrading when it says no.

/** A host with an optional port, nothing else (no path, user info, query). */
const HOST_PORT = /^[a-z0-9.-]+(:\d{1,5})?$/;

export interface OriginPolicy {
  /** True when the list is `*`: every origin is allowed. */
  readonly any: boolean;
  /** Exact origins, lower-case (`https://app.example.com`, `http://127.0.0.1:5173`). */
  readonly exact: ReadonlySet<string>;
  /** `https://*.example.com` → scheme `https://`, suffix `.example.com`. */
  readonly suffixes: readonly { scheme: string; suffix: string }[];
}

/** Builds the policy from `RELAY_ALLOWED_ORIGINS` entries (validated by config.ts). */
export function originPolicy(entries: readonly string[]): OriginPolicy {
  const exact = new Set<string>();
  const suffixes: { scheme: string; suffix: string }[] = [];
  let any = false;
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === '*') any = true;
    else if (entry.includes('://*.')) {
      const [scheme, host] = entry.split('://*');
      suffixes.push({ scheme: `${scheme}://`, suffix: host! });
    } else exact.add(entry);
  }
  return { any, exact, suffixes };
}

/**
 * Whether an upgrade with this `Origin` header may proceed. A missing header (non-browser
 * clients: the SDK in Node, raw TCP tools) is allowed: Origin protects browsers from other
 * sites, tokens protect the relay. `null` (sandboxed frames, file://) counts as an origin and
 * must be listed literally.
 */
export function isOriginAllowed(policy: OriginPolicy, origin: string | undefined): boolean {
  if (origin === undefined || origin === '') return true;
  if (policy.any) return true;
  const o = origin.toLowerCase();
  if (policy.exact.has(o)) return true;
  // `https://*.example.com` matches `https://a.example.com` (and deeper), not `https://example.com`.
  return policy.suffixes.some(({ scheme, suffix }) => {
    if (!o.startsWith(scheme)) return false;
    const host = o.slice(scheme.length);
    return HOST_PORT.test(host) && host.endsWith(suffix) && host.length > suffix.length;
  });
}
