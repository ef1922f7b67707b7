import { JsonDepthError, JsonSyntaxError, type JsonValue, parseJson } from '@ddup/hashing';

/** JSON nested deeper than this is refused; real events are a few levels deep. */
export const MAX_EVENT_DEPTH = 64;

/** Text that is not JSON an event may be written in: malformed, or nested deeper than `MAX_EVENT_DEPTH`. */
export class MalformedJson {
  constructor(readonly error: JsonSyntaxError | JsonDepthError) {}
}

/**
 * Parses JSON as deep as an event may be, numbers kept as written (the Python canonical form needs
 * `100.0` and big integers intact). The one place a parse failure is told apart from a bug.
 */
export function parseEventJson(text: string): JsonValue | MalformedJson {
  try {
    return parseJson(text, { maxDepth: MAX_EVENT_DEPTH });
  } catch (error) {
    if (error instanceof JsonSyntaxError || error instanceof JsonDepthError) return new MalformedJson(error);
    throw error;
  }
}
