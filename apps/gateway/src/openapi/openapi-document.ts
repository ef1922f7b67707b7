import gatewayPackage from '../../package.json' with { type: 'json' };
import { openApiComponents } from './openapi-components.ts';
import { openApiPaths } from './openapi-paths.ts';
import type { OpenApiDocument } from './openapi-types.ts';

/**
 * The gateway's OpenAPI 3.1 document, with the event routes under `apiPrefix`. It depends on no
 * setting, so `/openapi.json` and the committed Postman collection are generated alike.
 */
export function openApiDocument(apiPrefix: string): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'ddup',
      version: gatewayPackage.version,
      description:
        'Event deduplication over HTTP: the first occurrence of an event within the window (7 days by default) is accepted and handed to a Redis Stream; later ones are answered 409. Every answer, errors included, is JSON `{detail, code, ...}` unless documented otherwise.',
    },
    tags: [
      { name: 'events', description: "Admission; with `TENANTS_FILE`, by a tenant's API key" },
      { name: 'health', description: 'Liveness and readiness' },
      { name: 'admin', description: 'Inspection and repair; only when `DDUP_ADMIN_TOKEN` is set, with `Authorization: Bearer <token>`' },
      { name: 'operations', description: 'Metrics, dashboard, this document' },
    ],
    paths: openApiPaths(apiPrefix),
    components: openApiComponents(),
  };
}
