import type { Tenant } from './tenants-file.ts';
import type { TenantDirectory } from './tenant-directory.ts';

/** The part of a logger a reload writes to (the runtime's pino logger fits). */
export interface ReloadLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Rereads TENANTS_FILE on every SIGHUP, for the gateway and the consumer alike: logs what is in
 * force after it (a bad file is logged and the tenants in force stay) and hands the new tenants to
 * `onReloaded`. Without a file (`directory` undefined) a SIGHUP is logged and ignored: Node's
 * default action would end the process. Returns a function that stops listening.
 */
export function reloadOnSighup(
  directory: TenantDirectory | undefined,
  logger: ReloadLogger,
  onReloaded: (tenants: readonly Tenant[]) => void = () => undefined,
): () => void {
  const reload = () => {
    if (directory === undefined) return logger.warn('SIGHUP ignored: there is no TENANTS_FILE to reread');
    const result = directory.reload();
    if (!result.ok) return logger.error('TENANTS_FILE not reloaded: the tenants in force stay', { file: directory.path, problems: result.problems });
    logger.info('tenants reloaded', { file: directory.path, tenants: result.tenants.map((tenant) => tenant.id) });
    onReloaded(result.tenants);
  };
  process.on('SIGHUP', reload);
  return () => process.off('SIGHUP', reload);
}
