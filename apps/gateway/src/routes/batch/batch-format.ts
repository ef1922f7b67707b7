/** How a batch body is written: a JSON array, or NDJSON (one event per line). */
export type BatchFormat = 'json' | 'ndjson';

/** Media types read as NDJSON; anything else (or none) is read as a JSON array, as the single route reads JSON whatever its type. */
const NDJSON_TYPES: ReadonlySet<string> = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl']);

/** The format a `Content-Type` header asks for; parameters (`; charset=utf-8`) are ignored. */
export function batchFormat(contentType: string | undefined): BatchFormat {
  if (contentType === undefined) return 'json';
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return NDJSON_TYPES.has(mediaType) ? 'ndjson' : 'json';
}
