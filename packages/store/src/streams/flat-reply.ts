/**
 * A flat `[name, value, name, value, ...]` reply as a record: a stream entry's fields, a group or
 * consumer of XINFO (RESP2 gives each as such a list). Null (an entry deleted while pending) or
 * anything not a list gives an empty record; a trailing name without a value is left out.
 */
export function fieldsOf<V = unknown>(flat: unknown): Record<string, V> {
  const fields: Record<string, V> = {};
  if (!Array.isArray(flat)) return fields;
  for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = flat[i + 1] as V;
  return fields;
}
