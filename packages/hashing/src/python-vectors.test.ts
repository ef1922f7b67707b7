import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalPython } from './canonical-python.ts';
import { JsonSyntaxError } from './errors.ts';
import { eventHash, type DedupEvent } from './event-hash.ts';
import { isJsonObject, type JsonValue } from './json-value.ts';
import { parseJson } from './parse-json.ts';

// Made by ../vectors/make_vectors.py with real Python; see that script to add cases.
interface Vector {
  name: string;
  body: string;
  canonical: string;
  sha256: string;
}

interface ErrorVector {
  name: string;
  body: string;
  reason: string;
  position: number;
}

function loadVectors(file: string): unknown[] {
  const data: unknown = JSON.parse(readFileSync(new URL(`../vectors/${file}`, import.meta.url), 'utf8'));
  if (typeof data !== 'object' || data === null || !('vectors' in data) || !Array.isArray(data.vectors)) {
    throw new Error(`${file} has no vectors array`);
  }
  return data.vectors;
}

function hasStrings<K extends string>(v: unknown, keys: readonly K[]): v is Record<K, string> {
  return typeof v === 'object' && v !== null && keys.every((k) => typeof (v as Record<string, unknown>)[k] === 'string');
}

function isVector(v: unknown): v is Vector {
  return hasStrings(v, ['name', 'body', 'canonical', 'sha256']);
}

function isErrorVector(v: unknown): v is ErrorVector {
  return hasStrings(v, ['name', 'body', 'reason']) && typeof (v as { position?: unknown }).position === 'number';
}

const vectors = loadVectors('python.json').filter(isVector);
const errorVectors = loadVectors('python-errors.json').filter(isErrorVector);

function toEvent(body: JsonValue): DedupEvent {
  if (!isJsonObject(body)) throw new Error('body is not an object');
  const { user_id, event_type, timestamp, payload } = body;
  if (typeof user_id !== 'string' || typeof event_type !== 'string' || typeof timestamp !== 'string') {
    throw new Error('user_id, event_type and timestamp must be strings');
  }
  if (!isJsonObject(payload)) throw new Error('payload is not an object');
  return { user_id, event_type, timestamp, payload };
}

describe('python golden vectors', () => {
  it('the vector files are complete and well-formed', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(60);
    expect(vectors.length).toBe(loadVectors('python.json').length);
    expect(errorVectors.length).toBeGreaterThanOrEqual(30);
    expect(errorVectors.length).toBe(loadVectors('python-errors.json').length);
    expect(new Set(vectors.map((v) => v.name)).size).toBe(vectors.length);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s: canonical text and sha256 match Python', (_name, v) => {
    const { canonical, hash } = eventHash(toEvent(parseJson(v.body)), 'python');
    expect(canonical).toBe(v.canonical);
    expect(hash).toBe(v.sha256);
  });

  it('canonicalPython is stable on its own output where Python output is JSON', () => {
    // Re-parsing the canonical text must give the same text (Infinity is not JSON, so skip it).
    for (const v of vectors.filter((x) => !x.canonical.includes('Infinity'))) {
      expect(canonicalPython(parseJson(v.canonical)), v.name).toBe(v.canonical);
    }
  });
});

describe('python json.loads rejections', () => {
  it.each(errorVectors.map((v) => [v.name, v] as const))('%s: same reason and position as Python', (_name, v) => {
    let caught: unknown;
    try {
      parseJson(v.body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JsonSyntaxError);
    expect(caught).toMatchObject({ reason: v.reason, position: v.position });
  });
});
