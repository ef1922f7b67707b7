import type { Logger } from '@ddup/runtime';

/** Host names that reach only this machine. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Whether a gateway listening on `host` is reachable from this machine only (unset: every interface). */
export function listensOnLoopbackOnly(host: string | undefined): boolean {
  if (host === undefined) return false;
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The `Host` names a loopback-only gateway answers to: loopback names (any port). A browser led to
 * it by DNS rebinding sends the attacker's name, which is refused (421); nothing else could reach
 * a loopback address anyway.
 */
export function loopbackHostNames(host: string): ReadonlySet<string> {
  return new Set([...LOOPBACK_NAMES, host.includes(':') ? `[${host}]` : host]);
}

export interface ExposureSettings {
  readonly HOST?: string | undefined;
  readonly PORT: number;
  readonly TENANTS_FILE?: string | undefined;
  readonly METRICS_TOKEN?: string | undefined;
}

/**
 * At start-up, for a gateway that listens beyond this machine: warns that without TENANTS_FILE
 * anyone who reaches the port may post events, and that without METRICS_TOKEN `/metrics` and the
 * dashboard show tenant ids, settings and consumer host names to anyone.
 */
export function warnAboutExposure(settings: ExposureSettings, logger: Logger): void {
  if (listensOnLoopbackOnly(settings.HOST)) return;
  const where = `${settings.HOST ?? 'all interfaces'}:${settings.PORT}`;
  if (settings.TENANTS_FILE === undefined) {
    logger.warn(
      `listening on ${where} beyond this machine with no TENANTS_FILE: anyone who reaches it can post events; set TENANTS_FILE (docs/tenants.md) or HOST=127.0.0.1`,
    );
  }
  if (settings.METRICS_TOKEN === undefined) {
    logger.warn(
      `listening on ${where} beyond this machine with no METRICS_TOKEN: /metrics and /dashboard show tenant ids, settings and consumer host names to anyone who reaches it`,
    );
  }
}
