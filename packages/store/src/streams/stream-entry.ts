/**
 * An entry of an events stream as admission writes it (admit-var.lua, admit-batch-var.lua):
 * `hash` (hex SHA-256), `event` (the canonical JSON text) and, for a tenant's event, `tenant`.
 */
export interface EventEntry {
  readonly id: string;
  /** False for an entry deleted from the stream while pending (XDEL, a trim): Redis returns its id without fields. */
  readonly present: boolean;
  readonly hash: string | undefined;
  readonly event: string | undefined;
  readonly tenant: string | undefined;
  /** On a sink's replay stream: the events-stream entry it was copied from (its id's time is the event's first-seen time). */
  readonly origin?: string;
}

/** The fields of an events-stream entry, by name: what admission writes and a reader decodes. */
export const ENTRY_FIELDS = { hash: 'hash', event: 'event', tenant: 'tenant', origin: 'origin_id' } as const;

/** One entry as XRANGE, XREADGROUP and XCLAIM return it (RESP2): its id and its flat field list, null when deleted. */
export type RawStreamEntry = readonly [id: string, flat: readonly unknown[] | null];

/** Decodes one entry: the three fields admission writes (others are ignored), in one pass over the list. */
export function decodeStreamEntry([id, flat]: RawStreamEntry): EventEntry {
  let hash: string | undefined;
  let event: string | undefined;
  let tenant: string | undefined;
  let origin: string | undefined;
  if (flat) {
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const value = flat[i + 1] as string;
      switch (flat[i]) {
        case ENTRY_FIELDS.hash:
          hash = value;
          break;
        case ENTRY_FIELDS.event:
          event = value;
          break;
        case ENTRY_FIELDS.tenant:
          tenant = value;
          break;
        case ENTRY_FIELDS.origin:
          origin = value;
          break;
      }
    }
  }
  return { id, present: flat !== null, hash, event, tenant, origin };
}

/** Decodes a list of entries (an XRANGE or XCLAIM reply). */
export function decodeStreamEntries(reply: unknown): EventEntry[] {
  if (!Array.isArray(reply)) throw new TypeError('unexpected stream entries reply');
  return (reply as RawStreamEntry[]).map(decodeStreamEntry);
}

/**
 * The flat field list of an entry with these fields, in the order admission writes them (`hash`,
 * `event`, then `tenant` when there is one): what an XADD of such an entry takes after its id.
 */
export function encodeStreamEntry(entry: { readonly hash?: string; readonly event?: string; readonly tenant?: string }): string[] {
  const flat: string[] = [];
  if (entry.hash !== undefined) flat.push(ENTRY_FIELDS.hash, entry.hash);
  if (entry.event !== undefined) flat.push(ENTRY_FIELDS.event, entry.event);
  if (entry.tenant !== undefined) flat.push(ENTRY_FIELDS.tenant, entry.tenant);
  return flat;
}

/** The millisecond part of a stream entry id (`1700000000000-3` → 1700000000000). */
export function entryTimeMs(id: string): number {
  const dash = id.indexOf('-');
  return Number(dash === -1 ? id : id.slice(0, dash));
}
