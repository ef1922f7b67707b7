/** Hostile request bodies shared by the in-process and the real-HTTP tests. */

export const MiB = 1024 * 1024;

/** mulberry32: a small deterministic PRNG, so a failing case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

const utf8 = new TextEncoder();

export function bytesOf(text: string): Uint8Array {
  return utf8.encode(text);
}

/** A valid event with a bit of everything the parser knows: escapes, non-ASCII, floats, nesting. */
export function richEventText(tag: string): string {
  return (
    `{"user_id": "u-${tag}", "event_type": "caf\u00e9 \\u00e9\\n", "timestamp": "2026-01-01T00:00:00Z", ` +
    `"payload": {"a": [1, -2.5e3, true, false, null, {"b": "\u{1f600}"}], "c": {}, "d": []}, "extra": 1}`
  );
}

/** `depth` nested arrays inside the payload: far past MAX_EVENT_DEPTH. */
export function deepEventText(depth: number): string {
  return `{"user_id":"u","event_type":"e","timestamp":"t","payload":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
}

/**
 * A valid event whose payload has `count` distinct short keys (`"1a2b":0,`, about 9 bytes each),
 * in no particular order: 100,000 keys make a body of about 0.9 MB, under the 1 MiB default limit.
 */
export function manyKeysEventText(count: number, tag: string): string {
  const members: string[] = [];
  for (let i = 0; i < count; i++) members.push(`"${((i * 7919) % count).toString(36)}":${i % 10}`);
  return `{"user_id":"u-${tag}","event_type":"e","timestamp":"t","payload":{${members.join(',')}}}`;
}

/** Byte sequences that are not UTF-8, each inside a JSON string; `offset` is where the bad bytes start. */
export function invalidUtf8Bodies(): { name: string; bytes: Uint8Array; offset: number }[] {
  const before = bytesOf('{"user_id": "');
  const after = bytesOf('", "event_type": "e", "timestamp": "t", "payload": {}}');
  const make = (name: string, bad: number[], badAt = 0) => ({
    name,
    bytes: new Uint8Array([...before, ...bad, ...after]),
    offset: before.length + badAt,
  });
  return [
    make('a lone 0xff', [0xff]),
    make('a stray continuation byte', [0x80]),
    make('an overlong "/" (C0 AF)', [0xc0, 0xaf]),
    make('an overlong 3-byte form (E0 80 AF)', [0xe0, 0x80, 0xaf]),
    make('an encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80]),
    make('a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]),
    make('a truncated sequence (E2 82 then ")', [0xe2, 0x82]),
    make('"café" in Latin-1 (63 61 66 E9)', [0x63, 0x61, 0x66, 0xe9], 3),
  ];
}
