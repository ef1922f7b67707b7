import type { MiddlewareHandler } from 'hono';
import { crossSiteRequest, misdirectedRequest } from '../errors.ts';

export interface BrowserGuardSettings {
  /** The `Host` names answered to (a loopback-only gateway); undefined: any. */
  readonly hostNames?: ReadonlySet<string> | undefined;
  /** Refuse writes a browser sends from another site (an open gateway: no API key stops them). */
  readonly sameOriginWrites: boolean;
}

/** The host name of a `Host` header, without its port (`[::1]:8000` → `[::1]`). */
function hostNameOf(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon > host.lastIndexOf(']') ? host.slice(0, colon).toLowerCase() : host.toLowerCase();
}

/**
 * What keeps a browser from using a gateway on behalf of a page of another site: on a loopback
 * gateway, a `Host` that is not a loopback name (DNS rebinding) gets 421 `misdirected_request`;
 * on an open gateway (no TENANTS_FILE), a write whose `Origin` is another site than the one asked
 * (a cross-site form or `text/plain` fetch) gets 403 `cross_site_request`. Clients that are not
 * browsers send no `Origin` and are not affected. Installed only when one of them applies, so a
 * gateway with neither pays nothing.
 */
export function guardBrowserRequests(settings: BrowserGuardSettings): MiddlewareHandler | undefined {
  const { hostNames, sameOriginWrites } = settings;
  if (hostNames === undefined && !sameOriginWrites) return undefined;
  // Not async: on the event routes' path, a middleware that only looks costs no extra microtask.
  return function guardBrowserRequest(c, next) {
    const host = c.req.header('host');
    if (hostNames !== undefined && host !== undefined && !hostNames.has(hostNameOf(host))) throw misdirectedRequest(host);
    if (sameOriginWrites && c.req.method === 'POST') {
      const origin = c.req.header('origin');
      if (origin !== undefined && !sameSite(origin, host)) throw crossSiteRequest(origin);
    }
    return next();
  };
}

/** Whether `origin` (scheme://host[:port], or `null`) names the host the request was sent to. */
function sameSite(origin: string, host: string | undefined): boolean {
  if (host === undefined || !URL.canParse(origin)) return false;
  return new URL(origin).host === host.toLowerCase();
}
