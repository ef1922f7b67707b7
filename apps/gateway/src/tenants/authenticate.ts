import type { MiddlewareHandler } from 'hono';
import { noApiKey } from '../errors.ts';
import type { DedupSpace } from '../admission/dedup-space.ts';
import type { SpaceResolver } from './dedup-spaces.ts';

/** The Hono variables of an event request once its tenant is known. */
export type SpaceEnv = { Variables: { space: DedupSpace } };

/** The key a request presents: `Authorization: Bearer <key>`, else `X-API-Key: <key>`. */
export function presentedApiKey(authorization: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  const bearer = authorization === undefined ? undefined : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization)?.[1];
  return bearer ?? (apiKeyHeader?.trim() || undefined);
}

/**
 * Finds the request's dedup space before anything of its body is read: with TENANTS_FILE, the
 * tenant whose API key it presents (401 without one, or with an unknown one); without, the one
 * open default space.
 */
export function authenticate(spaces: SpaceResolver): MiddlewareHandler<SpaceEnv> {
  return async function findSpace(c, next) {
    // Without TENANTS_FILE there is one open space: no header to read.
    const key = spaces.authenticated ? presentedApiKey(c.req.header('authorization'), c.req.header('x-api-key')) : undefined;
    const space = spaces.ofApiKey(key);
    if (space === undefined) throw noApiKey(key !== undefined);
    c.set('space', space);
    await next();
  };
}
