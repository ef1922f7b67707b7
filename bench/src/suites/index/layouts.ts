import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type AdmitResult, type EventToAdmit, type LuaScript, type RedisCommandSender, Store, eventsStreamKey, formerSeenKey, runScript } from '@ddup/store';

/** A way of remembering events: how one admission is sent to Redis. */
export interface IndexLayoutUnderTest {
  readonly name: string;
  admit(redis: RedisCommandSender, event: EventToAdmit): Promise<AdmitResult>;
}

const PER_KEY_SOURCE = readFileSync(new URL('./per-key-admit-2.lua', import.meta.url), 'utf8');
const PER_KEY_SCRIPT: LuaScript = {
  name: 'per-key-admit',
  numberOfKeys: 2,
  source: PER_KEY_SOURCE,
  sha1: createHash('sha1').update(PER_KEY_SOURCE).digest('hex'),
};

/** ddup before the compact index: one key per event (formerSeenKey, 'pending', EX window). */
export function perKeyLayout(windowSeconds: number): IndexLayoutUnderTest {
  const window = String(windowSeconds);
  return {
    name: 'per-key (before)',
    async admit(redis, { hash, canonical }) {
      const [code, value] = await runScript<[number, string]>(redis, PER_KEY_SCRIPT, [formerSeenKey(0, hash), eventsStreamKey(0)], [window, hash, canonical]);
      return code === 1 ? { outcome: 'accepted', hash, id: value } : { outcome: 'duplicate', hash, state: 'pending', firstSeenMs: undefined };
    },
  };
}

/** The compact index as the gateway runs it, for `capacity` events per window. */
export function compactLayout(windowSeconds: number, capacity: number): IndexLayoutUnderTest & { readonly store: Store } {
  const store = new Store({ shardCount: 1, indexCapacity: capacity, windowSeconds });
  return { name: `compact (INDEX_CAPACITY=${capacity.toLocaleString('en-US')})`, store, admit: (redis, event) => store.admit(redis, event) };
}

/** `count` distinct events numbered from `from`: a cheap hash each and a small body (the index's cost does not depend on it). */
export function syntheticEvents(from: number, count: number): EventToAdmit[] {
  return Array.from({ length: count }, (_, i) => {
    const hash = createHash('sha256')
      .update(`index-bench-${from + i}`)
      .digest('hex');
    return { hash, canonical: `{"n": ${from + i}}` };
  });
}
