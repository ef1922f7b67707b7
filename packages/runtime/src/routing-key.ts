/** Commands whose first key is their third word: `XINFO GROUPS <key>`, `XGROUP CREATE <key> ...`. */
const KEY_AFTER_SUBCOMMAND = new Set(['XINFO', 'XGROUP', 'OBJECT', 'MEMORY']);
/** Commands that touch no key; on a cluster any node may answer them. */
const KEYLESS = new Set(['PING', 'WAIT', 'CONFIG', 'INFO', 'DBSIZE', 'CLUSTER', 'RANDOMKEY', 'SCRIPT', 'CLIENT', 'TIME']);

/**
 * The key a cluster routes `args` by (its first key), or undefined for a keyless command.
 * Covers the commands ddup sends; anything else is taken to name its key first, as most do.
 */
export function routingKeyOf(args: readonly string[]): string | undefined {
  const name = args[0]?.toUpperCase() ?? '';
  if (KEYLESS.has(name)) return undefined;
  if (name === 'EVAL' || name === 'EVALSHA' || name === 'EVAL_RO' || name === 'EVALSHA_RO') {
    return Number(args[2]) > 0 ? args[3] : undefined;
  }
  if (name === 'XREADGROUP' || name === 'XREAD') {
    const streams = args.findIndex((word) => word.toUpperCase() === 'STREAMS');
    return streams < 0 ? undefined : args[streams + 1];
  }
  if (KEY_AFTER_SUBCOMMAND.has(name)) return args[2];
  return args[1];
}
