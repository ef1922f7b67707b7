import { type CanonicalForm, type DedupEvent, type JsonObject, type JsonValue, canonicalize, emptyJsonObject, isJsonObject, sha256Hex } from '@ddup/hashing';

/** The value at dotted `path` in `event`, or undefined when any step is missing or not an object. */
function valueAt(event: DedupEvent, path: readonly string[]): JsonValue | undefined {
  let value: JsonValue | undefined = event as unknown as JsonObject;
  for (const step of path) {
    if (!isJsonObject(value) || !Object.hasOwn(value, step)) return undefined;
    value = value[step];
  }
  return value;
}

/** Sets `value` at dotted `path` in `target`, making the objects on the way. */
function setAt(target: JsonObject, path: readonly string[], value: JsonValue): void {
  let at = target;
  for (const step of path.slice(0, -1)) {
    const next = at[step];
    if (isJsonObject(next)) at = next;
    else at = at[step] = emptyJsonObject();
  }
  const last = path[path.length - 1];
  if (last !== undefined) at[last] = value;
}

/**
 * A tenant's dedup key when it keys on `fields` (dotted paths such as `payload.order_id`): the
 * SHA-256 of the canonical form of an object holding just those fields, nested as in the event. A
 * missing field is left out (so two events both without it agree on it), which is not the same
 * as a field that is null.
 */
export function keyFieldsHash(event: DedupEvent, fields: readonly string[], form: CanonicalForm): string {
  const key = emptyJsonObject();
  for (const field of fields) {
    const path = field.split('.');
    const value = valueAt(event, path);
    if (value !== undefined) setAt(key, path, value);
  }
  return sha256Hex(canonicalize(key, form));
}
