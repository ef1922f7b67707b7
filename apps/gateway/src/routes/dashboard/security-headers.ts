import type { MiddlewareHandler } from 'hono';

/**
 * Only this gateway's own files may load (no inline script or style, no other host), the page
 * may not be framed, and nothing leaves in a Referer. The page's script writes text only
 * (`textContent`), so even a hostile event shown in a dead letter stays text.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The headers of every dashboard answer (page, stream, assets).
 *
 * @example
 * ```ts
 * new Hono().use(dashboardSecurityHeaders()).get('/', (c) => c.html(page));
 * ```
 */
export function dashboardSecurityHeaders(): MiddlewareHandler {
  return async function secureDashboard(c, next) {
    c.header('content-security-policy', DASHBOARD_CSP);
    c.header('x-content-type-options', 'nosniff');
    c.header('x-frame-options', 'DENY');
    c.header('referrer-policy', 'no-referrer');
    await next();
  };
}
