export { canonicalJcs } from './canonical-jcs.ts';
export { canonicalPython } from './canonical-python.ts';
export { CANONICAL_FORMS, canonicalize, type CanonicalForm } from './canonical-form.ts';
export { JsonDepthError, JsonSyntaxError, LoneSurrogateError, NonFiniteNumberError } from './errors.ts';
export { eventHash, sha256Hex, type DedupEvent } from './event-hash.ts';
export { JsonNumber } from './json-number.ts';
export { jsonText } from './json-text.ts';
export { emptyJsonObject, isJsonObject, type JsonObject, type JsonValue } from './json-value.ts';
export { DEFAULT_MAX_DEPTH, parseJson, type ParseJsonOptions } from './parse-json.ts';
