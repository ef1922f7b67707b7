import type { RedisArgument } from './redis-types.ts';

/** Commands whose first key is their third word: `XINFO GROUPS <key>`, `XGROUP CREATE <key> ...`. */
const KEY_AFTER_SUBCOMMAND = new Set(['XINFO', 'XGROUP', 'OBJECT', 'MEMORY']);
/** Commands that touch no key; on a cluster any node may answer them. */
const KEYLESS = new Set(['PING', 'WAIT', 'CONFIG', 'INFO', 'DBSIZE', 'CLUSTER', 'RANDOMKEY', 'SCRIPT', 'CLIENT', 'TIME']);

/**
 * The key a cluster routes `args` by (its first key), or undefined for a keyless command.
 * Covers the commands ddup sends; anything else is taken to name its key first, as most do.
 */
export function routingKeyOf(args: readonly RedisArgument[]): string | undefined {
  const word = (index: number) => {
    const value = args[index];
    return value === undefined ? undefined : String(value);
  };
  const name = word(0)?.toUpperCase() ?? '';
  if (KEYLESS.has(name)) return undefined;
  if (name === 'EVAL' || name === 'EVALSHA' || name === 'EVAL_RO' || name === 'EVALSHA_RO') {
    return Number(word(2)) > 0 ? word(3) : undefined;
  }
  if (name === 'XREADGROUP' || name === 'XREAD') {
    const streams = args.findIndex((value) => String(value).toUpperCase() === 'STREAMS');
    return streams < 0 ? undefined : word(streams + 1);
  }
  if (KEY_AFTER_SUBCOMMAND.has(name)) return word(2);
  return word(1);
}
