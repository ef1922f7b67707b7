/** One stream entry as XREADGROUP returns it. `fields` is undefined for an entry deleted while pending. */
export interface StreamEntry {
  readonly id: string;
  readonly fields: Readonly<Record<string, string>> | undefined;
}

export interface StreamBatch {
  readonly stream: string;
  readonly entries: readonly StreamEntry[];
}

type RawEntry = [string, string[] | null];
type RawStream = [string, RawEntry[]];

function toFields(flat: readonly string[] | null): Record<string, string> | undefined {
  if (!flat) return undefined;
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
  return fields;
}

/** Parses a RESP2 XREADGROUP/XREAD reply (null on timeout). */
export function parseStreamsReply(reply: unknown): StreamBatch[] {
  if (reply === null || reply === undefined) return [];
  if (!Array.isArray(reply)) throw new TypeError('unexpected XREADGROUP reply');
  return (reply as RawStream[]).map(([stream, entries]) => ({
    stream,
    entries: entries.map(([id, flat]) => ({ id, fields: toFields(flat) })),
  }));
}

/** The millisecond part of a stream entry id (`1700000000000-3` → 1700000000000). */
export function entryTimeMs(id: string): number {
  const dash = id.indexOf('-');
  return Number(dash === -1 ? id : id.slice(0, dash));
}
