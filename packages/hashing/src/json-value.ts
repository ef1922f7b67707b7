import { JsonNumber } from './json-number.ts';

/** A JSON object; `parseJson` makes these with a null prototype so `__proto__` is an ordinary key. */
export type JsonObject = { [key: string]: JsonValue };

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

/** An empty object with a null prototype, the kind `parseJson` builds. */
export function emptyJsonObject(): JsonObject {
  return Object.create(null) as JsonObject;
}
