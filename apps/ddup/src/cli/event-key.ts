import { readFileSync } from 'node:fs';
import { isProblems, keyEvent, parseEvent } from '@ddup/gateway';
import type { CliSpace } from './tenant-space.ts';
import { UsageError } from './usage-error.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The dedup key of the event in `file` (`-`: stdin), made exactly as the gateway makes it in
 * `space`: the same validation, the same canonical form, the same key fields.
 */
export function hashOfEventFile(file: string, space: CliSpace): string {
  let text: string;
  try {
    text = utf8.decode(readFileSync(file === '-' ? 0 : file));
  } catch (error) {
    throw new UsageError(`--event ${file}: ${error instanceof TypeError ? 'not UTF-8 text' : error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = parseEvent(text);
  const hashed = isProblems(parsed) ? parsed : keyEvent(parsed, space.canonicalForm, space.keyFields);
  if (isProblems(hashed)) throw new UsageError(`--event ${file}: not a valid event (the gateway would answer 422): ${JSON.stringify(hashed)}`);
  return hashed.hash;
}

/** The hash a command names: its argument (64 lowercase hex digits), or that of the event in `--event FILE`. */
export function hashToLookUp(argument: string | undefined, eventFile: string | undefined, space: CliSpace): string {
  if (argument !== undefined && eventFile !== undefined) throw new UsageError('give a hash or --event FILE, not both');
  if (eventFile !== undefined) return hashOfEventFile(eventFile, space);
  if (argument === undefined) throw new UsageError('give the event hash (64 hex digits) or --event FILE');
  if (!/^[0-9a-f]{64}$/.test(argument)) throw new UsageError(`not an event hash (64 lowercase hex digits): ${argument}`);
  return argument;
}
