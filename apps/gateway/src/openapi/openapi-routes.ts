import { Hono } from 'hono';
import { openApiDocument } from './openapi-document.ts';

/** `GET /openapi.json` (mounted at `/`): the document, built once. */
export function openApiRoutes(apiPrefix: string): Hono {
  const text = JSON.stringify(openApiDocument(apiPrefix));
  return new Hono().get('/openapi.json', (c) => c.body(text, 200, { 'content-type': 'application/json' }));
}
