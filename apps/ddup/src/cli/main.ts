import { parseArgs } from 'node:util';
import { acceptReset } from './accept-reset.ts';
import { type CliSettings, loadCliSettings } from './cli-env.ts';
import { type DeadLetterOptions, listLetters, replayLetters } from './dead-letters.ts';
import { hashToLookUp } from './event-key.ts';
import { forget } from './forget.ts';
import { inspect } from './inspect.ts';
import { lookup } from './lookup.ts';
import { processOutput } from './output.ts';
import { NoRedisError, cliRedisTarget } from './redis-target.ts';
import { type CliSession, LayoutConflictError, withSession } from './session.ts';
import { spaceOf } from './tenant-space.ts';
import { SHORT_USAGE, USAGE } from './usage.ts';
import { UsageError } from './usage-error.ts';

// `pnpm -s ddup <command>`: the operators' tool. The only module of the CLI that exits the process.

type Options = { json?: boolean; event?: string; tenant?: string; count?: string; shard?: string; id?: string; sink?: string; help?: boolean };

/** A sink id as SINKS_FILE allows it (@ddup/sinks' SINK_ID). */
const SINK_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The options only some commands take, and which. */
const OPTION_COMMANDS: Record<string, readonly string[]> = {
  event: ['lookup', 'forget'],
  tenant: ['lookup', 'forget'],
  count: ['dead-letters'],
  shard: ['dead-letters'],
  id: ['dead-letters'],
  sink: ['dead-letters'],
};

function wholeNumber(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be a whole number of at least ${min}`);
  return Number(value);
}

function expectArguments(command: string, args: readonly string[], most: number): void {
  if (args.length > most) throw new UsageError(`${command}: unexpected argument ${args[most]}`);
}

/** What the command line asks for, checked before Redis is reached: the work to do in a session. */
function commandOf(positionals: readonly string[], options: Options, settings: CliSettings): (session: CliSession) => Promise<number> {
  const [command, ...args] = positionals;
  if (command === undefined) throw new UsageError('no command given');
  for (const [option, commands] of Object.entries(OPTION_COMMANDS)) {
    if (options[option as keyof Options] !== undefined && !commands.includes(command)) throw new UsageError(`${command} takes no --${option}`);
  }
  const json = options.json ?? false;
  const output = processOutput;
  switch (command) {
    case 'inspect':
      expectArguments(command, args, 0);
      return (session) => inspect(session, output, json);
    case 'accept-reset':
      expectArguments(command, args, 0);
      return (session) => acceptReset(session, output, json);
    case 'lookup':
    case 'forget': {
      expectArguments(command, args, 1);
      const space = spaceOf(settings, options.tenant);
      const hash = hashToLookUp(args[0], options.event, space);
      return (session) => (command === 'lookup' ? lookup(session, output, hash, space, json) : forget(session, output, hash, space, json));
    }
    case 'dead-letters': {
      const [action] = args;
      if (action !== 'list' && action !== 'replay') throw new UsageError('dead-letters: expected "list" or "replay"');
      expectArguments(command, args, 1);
      if (options.id !== undefined && !/^\d+-\d+$/.test(options.id)) throw new UsageError(`--id must be a dead entry id such as 1795480777001-0`);
      if (options.sink !== undefined && !SINK_ID.test(options.sink)) throw new UsageError('--sink must be a sink id of SINKS_FILE, such as hooks');
      const letters: DeadLetterOptions = {
        json,
        id: options.id,
        count: wholeNumber('count', options.count, 1),
        shard: wholeNumber('shard', options.shard, 0),
        sink: options.sink,
      };
      return async (session) => {
        const shards = session.store.layout.shardCount;
        if (letters.shard !== undefined && letters.shard >= shards) throw new UsageError(`--shard must be from 0 to ${shards - 1}`);
        return action === 'list' ? listLetters(session, output, letters) : replayLetters(session, output, letters);
      };
    }
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

async function main(): Promise<number> {
  let parsed: { positionals: string[]; values: Options };
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        event: { type: 'string' },
        tenant: { type: 'string' },
        count: { type: 'string' },
        shard: { type: 'string' },
        id: { type: 'string' },
        sink: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help || parsed.positionals[0] === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const loaded = loadCliSettings();
  if ('failure' in loaded) {
    process.stderr.write(loaded.failure);
    return 2;
  }
  const settings = loaded.config;
  const work = commandOf(parsed.positionals, parsed.values, settings);
  return withSession(cliRedisTarget(settings), settings, work);
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`ddup: ${error.message}\n${SHORT_USAGE}\n`);
    process.exitCode = 2;
  } else if (error instanceof NoRedisError || error instanceof LayoutConflictError) {
    process.stderr.write(`ddup: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`ddup: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
