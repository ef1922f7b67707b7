import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A Lua script shipped with ddup: its source, SHA1 for EVALSHA, and how many of its arguments are keys. */
export interface LuaScript {
  readonly name: string;
  readonly numberOfKeys: number;
  readonly source: string;
  readonly sha1: string;
}

/** Loads `scripts/<name>-<numberOfKeys>.lua`; the key count is part of the file name, as in BullMQ. */
function loadScript(fileName: string): LuaScript {
  const match = /^(.+)-(\d+)\.lua$/.exec(fileName);
  if (!match?.[1] || !match[2]) throw new Error(`script file name must be <name>-<keys>.lua: ${fileName}`);
  const source = readFileSync(new URL(`./scripts/${fileName}`, import.meta.url), 'utf8');
  return {
    name: match[1],
    numberOfKeys: Number(match[2]),
    source,
    sha1: createHash('sha1').update(source).digest('hex'),
  };
}

/** Admits one event: see the header of `scripts/admit-2.lua`. */
export const admitScript = loadScript('admit-2.lua');

/** What the admission script answers; the first element is the code. */
export type AdmitReply = [1, string] | [0, string];

/** Moves a pending entry to the dead-letter stream and acknowledges it: see `scripts/dead-letter-2.lua`. */
export const deadLetterScript = loadScript('dead-letter-2.lua');

/** Puts a dead letter back on the events stream: see `scripts/replay-dead-letter-2.lua`. */
export const replayDeadLetterScript = loadScript('replay-dead-letter-2.lua');

/** `{1, id}` when the script acted, `{0, ''}` when there was nothing to act on. */
export type MoveReply = [1, string] | [0, ''];
