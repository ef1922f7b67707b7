import { canonicalJcs } from './canonical-jcs.ts';
import { canonicalPython } from './canonical-python.ts';
import type { JsonValue } from './json-value.ts';

/** `python`: what the Python service hashed (the default). `jcs`: RFC 8785. */
export type CanonicalForm = 'python' | 'jcs';

export const CANONICAL_FORMS: readonly [CanonicalForm, ...CanonicalForm[]] = Object.freeze(['python', 'jcs'] as const);

export function canonicalize(value: JsonValue, form: CanonicalForm): string {
  return form === 'python' ? canonicalPython(value) : canonicalJcs(value);
}
