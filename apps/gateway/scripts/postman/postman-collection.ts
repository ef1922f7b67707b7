import {
  HTTP_METHODS,
  type HttpMethod,
  type JsonSchema,
  type OpenApiDocument,
  type Operation,
  type Parameter,
  type Reference,
  type Response,
  isReference,
} from '../../src/openapi/openapi-types.ts';
import { COLLECTION_SETTINGS, COLLECTION_STEPS, type CollectionStep } from './postman-steps.ts';

/** The parts of a Postman collection (format v2.1.0) the generator writes. */
interface PostmanScript {
  readonly listen: 'prerequest' | 'test';
  readonly script: { readonly type: 'text/javascript'; readonly exec: readonly string[] };
}

interface PostmanItem {
  readonly name: string;
  readonly event: readonly PostmanScript[];
  readonly request: {
    readonly method: string;
    readonly description: string;
    readonly header: readonly { readonly key: string; readonly value: string }[];
    readonly auth?: { readonly type: 'noauth' } | { readonly type: 'bearer'; readonly bearer: readonly { key: string; value: string; type: 'string' }[] };
    readonly body?: { readonly mode: 'raw'; readonly raw: string; readonly options: { readonly raw: { readonly language: 'json' } } };
    readonly url: {
      readonly raw: string;
      readonly host: readonly string[];
      readonly path: readonly string[];
      readonly query?: readonly { readonly key: string; readonly value: string }[];
    };
  };
}

export interface PostmanCollection {
  readonly info: { readonly name: string; readonly description: string; readonly schema: string };
  readonly item: readonly PostmanItem[];
  readonly variable: readonly { readonly key: string; readonly value: string; readonly type: 'string' }[];
}

/** What `#/components/...` points at in the document. */
function resolve<T extends object>(document: OpenApiDocument, value: T | Reference): T {
  if (!isReference(value)) return value;
  let target: unknown = document;
  for (const key of value.$ref.replace(/^#\//, '').split('/')) {
    target = typeof target === 'object' && target !== null ? (target as Record<string, unknown>)[key] : undefined;
  }
  if (typeof target !== 'object' || target === null) throw new Error(`${value.$ref} is not in the document`);
  return target as T;
}

/** Keywords that only describe; a test script's copy of a schema leaves them out. */
const ANNOTATIONS: ReadonlySet<string> = new Set(['description', 'examples', 'title']);
const SCHEMA_MAPS: ReadonlySet<string> = new Set(['properties', 'patternProperties', '$defs']);
const SCHEMA_LISTS: ReadonlySet<string> = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const SUBSCHEMAS: ReadonlySet<string> = new Set(['items', 'additionalProperties', 'propertyNames', 'not', 'contains']);

/** The schema with every `$ref` replaced by what it points at, without annotations: a Postman test script holds it whole. */
function inlineSchema(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const { $ref, ...rest } = schema;
  const inlined: Record<string, unknown> = typeof $ref === 'string' ? { ...inlineSchema(document, resolve<JsonSchema>(document, { $ref })) } : {};
  const sub = (value: unknown): unknown => (typeof value === 'object' && value !== null ? inlineSchema(document, value as JsonSchema) : value);
  for (const [keyword, value] of Object.entries(rest)) {
    if (ANNOTATIONS.has(keyword)) continue;
    if (SCHEMA_MAPS.has(keyword) && typeof value === 'object' && value !== null) {
      inlined[keyword] = Object.fromEntries(Object.entries(value).map(([name, item]) => [name, sub(item)]));
    } else if (SCHEMA_LISTS.has(keyword) && Array.isArray(value)) inlined[keyword] = value.map(sub);
    else if (SUBSCHEMAS.has(keyword)) inlined[keyword] = sub(value);
    else inlined[keyword] = value;
  }
  return inlined;
}

/** Every string equal to a key of `replace`, replaced by its value. */
function replaceStrings(value: unknown, replace: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return replace[value] ?? value;
  if (Array.isArray(value)) return value.map((item) => replaceStrings(item, replace));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceStrings(item, replace)]));
}

interface FoundOperation {
  readonly path: string;
  readonly method: HttpMethod;
  readonly operation: Operation;
}

function findOperation(document: OpenApiDocument, operationId: string): FoundOperation {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation?.operationId === operationId) return { path, method, operation };
    }
  }
  throw new Error(`no operation ${operationId} in the OpenAPI document`);
}

const js = (value: unknown): string => JSON.stringify(value);

/** `pm.test(name, ...)` around one assertion. */
const pmTest = (name: string, assertion: string): string => `pm.test(${js(name)}, function () { ${assertion}; });`;

/** The test script: the status, the documented headers, media type and schema, then the step's own checks and captures. */
function testScript(document: OpenApiDocument, step: CollectionStep, response: Response): string[] {
  const lines = [pmTest(`answers ${step.status}: ${response.description}`, `pm.response.to.have.status(${step.status})`)];
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if (resolve(document, header).required) lines.push(pmTest(`sends ${name}`, `pm.response.to.have.header(${js(name)})`));
  }
  const [mediaType, content] = Object.entries(response.content ?? {})[0] ?? [];
  if (mediaType !== undefined) {
    lines.push(pmTest(`is ${mediaType}`, `pm.expect(pm.response.headers.get(${js('Content-Type')})).to.include(${js(mediaType)})`));
  }
  if (mediaType === 'application/json' && content) {
    lines.push(`var schema = ${js(inlineSchema(document, content.schema))};`);
    lines.push(pmTest('matches the OpenAPI document', 'pm.response.to.have.jsonSchema(schema)'));
  }
  for (const check of step.checks ?? []) lines.push(pmTest(check.name, check.assert));
  for (const [variable, field] of Object.entries(step.capture ?? {})) {
    lines.push(`pm.collectionVariables.set(${js(variable)}, pm.response.json()[${js(field)}]);`);
  }
  return lines;
}

/** Refuses a query parameter or header the operation does not document. */
function checkParameters(document: OpenApiDocument, found: FoundOperation, step: CollectionStep): void {
  const parameters = (found.operation.parameters ?? []).map((parameter) => resolve<Parameter>(document, parameter));
  const given = [
    ...Object.keys(step.query ?? {}).map((name) => ({ in: 'query', name })),
    ...Object.keys(step.headers ?? {}).map((name) => ({ in: 'header', name })),
  ];
  for (const { in: where, name } of given) {
    if (!parameters.some((parameter) => parameter.in === where && parameter.name.toLowerCase() === name.toLowerCase())) {
      throw new Error(`${step.name}: ${found.operation.operationId} has no ${where} parameter ${name}`);
    }
  }
}

/** The request's path with its `{parameters}` filled from the step, as Postman's path segments. */
function pathSegments(found: FoundOperation, step: CollectionStep): string[] {
  return found.path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      const name = /^\{(.+)\}$/.exec(segment)?.[1];
      if (name === undefined) return segment;
      const value = step.path?.[name];
      if (value === undefined) throw new Error(`${step.name}: no value for {${name}} of ${found.path}`);
      return value;
    });
}

function requestBody(found: FoundOperation, step: CollectionStep): PostmanItem['request']['body'] {
  if (step.body === undefined) return undefined;
  const example = found.operation.requestBody?.content['application/json']?.examples?.[step.body.example];
  if (example === undefined) throw new Error(`${step.name}: ${found.operation.operationId} has no JSON example ${step.body.example}`);
  const raw = JSON.stringify(replaceStrings(example.value, step.body.replace ?? {}), null, 2);
  return { mode: 'raw', raw, options: { raw: { language: 'json' } } };
}

/** The first bearer scheme the operation takes: its name is the collection variable holding the token. */
function bearerSchemeOf(document: OpenApiDocument, operation: Operation): string | undefined {
  for (const requirement of operation.security ?? []) {
    for (const name of Object.keys(requirement)) {
      const scheme = document.components.securitySchemes[name];
      if (scheme?.type === 'http' && scheme.scheme === 'bearer') return name;
    }
  }
  return undefined;
}

/**
 * The bearer token from the scheme's collection variable (`{{adminToken}}`, `{{apiKey}}`). Postman
 * sends no Authorization header while the variable is empty, which is what an optional scheme needs.
 */
function authOf(document: OpenApiDocument, found: FoundOperation, step: CollectionStep): PostmanItem['request']['auth'] {
  const scheme = bearerSchemeOf(document, found.operation);
  if (scheme === undefined) return undefined;
  if (step.withoutToken) return { type: 'noauth' };
  return { type: 'bearer', bearer: [{ key: 'token', value: `{{${scheme}}}`, type: 'string' }] };
}

/**
 * The pre-request script: the request skipped while the variable it needs is empty, fresh values,
 * and query parameters left out while their lone `{{variable}}` is empty.
 */
function prerequestScript(step: CollectionStep): string[] {
  const skip = step.skipWithout === undefined ? [] : [`if (!pm.variables.get(${js(step.skipWithout)})) pm.execution.skipRequest();`];
  const fresh = (step.fresh ?? []).map(
    (variable) => `pm.collectionVariables.set(${js(variable)}, ${js('postman-')} + pm.variables.replaceIn(${js('{{$guid}}')}));`,
  );
  const optional = Object.entries(step.query ?? {}).flatMap(([key, value]) => {
    const variable = /^\{\{(\w+)\}\}$/.exec(value)?.[1];
    return variable === undefined ? [] : [`if (!pm.variables.get(${js(variable)})) pm.request.removeQueryParams(${js(key)});`];
  });
  return [...skip, ...fresh, ...optional];
}

function itemOf(document: OpenApiDocument, step: CollectionStep): PostmanItem {
  const found = findOperation(document, step.operationId);
  const documented = found.operation.responses[String(step.status)];
  if (documented === undefined) throw new Error(`${step.name}: ${step.operationId} documents no ${step.status} answer`);
  checkParameters(document, found, step);
  const path = pathSegments(found, step);
  const query = Object.entries(step.query ?? {}).map(([key, value]) => ({ key, value }));
  const search = query.length > 0 ? `?${query.map(({ key, value }) => `${key}=${value}`).join('&')}` : '';
  const body = requestBody(found, step);
  const auth = authOf(document, found, step);
  const prerequest = prerequestScript(step);
  const headers = [
    ...(body ? [{ key: 'Content-Type', value: 'application/json' }] : []),
    ...Object.entries(step.headers ?? {}).map(([key, value]) => ({ key, value })),
  ];
  return {
    name: step.name,
    event: [
      ...(prerequest.length > 0 ? [{ listen: 'prerequest' as const, script: { type: 'text/javascript' as const, exec: prerequest } }] : []),
      { listen: 'test', script: { type: 'text/javascript', exec: testScript(document, step, resolve(document, documented)) } },
    ],
    request: {
      method: found.method.toUpperCase(),
      description: `${found.operation.summary} (\`${found.method.toUpperCase()} ${found.path}\`, expects ${step.status})`,
      header: headers,
      ...(auth ? { auth } : {}),
      ...(body ? { body } : {}),
      url: {
        raw: `{{baseUrl}}/${path.join('/')}${search}`,
        host: ['{{baseUrl}}'],
        path,
        ...(query.length > 0 ? { query } : {}),
      },
    },
  };
}

/** Collection variables the steps set and read, declared so the collection lists them. */
function stepVariables(steps: readonly CollectionStep[]): string[] {
  const names = new Set<string>();
  for (const step of steps) {
    for (const name of step.fresh ?? []) names.add(name);
    for (const name of Object.keys(step.capture ?? {})) names.add(name);
  }
  return [...names];
}

/**
 * The Postman collection of `document`: one request per step of COLLECTION_STEPS, each checking
 * its documented status, headers and answer schema. Nothing in it changes from one run of the
 * generator to the next (no ids, no dates), so the committed file can be compared with a fresh one.
 */
export function postmanCollectionOf(document: OpenApiDocument, steps: readonly CollectionStep[] = COLLECTION_STEPS): PostmanCollection {
  return {
    info: {
      name: `${document.info.title} ${document.info.version}`,
      description: [
        `${document.info.description}`,
        '',
        'Generated from the OpenAPI document (`GET /openapi.json`) by `pnpm postman`; do not edit by hand.',
        'Run the requests in order against a running gateway (`baseUrl`, http://localhost:8000 by default):',
        '`npx -y newman run postman/ddup.postman_collection.json`.',
        'The admin requests (and the one that builds on them) skip themselves while `adminToken` is empty; to run them,',
        'start the gateway with `DDUP_ADMIN_TOKEN` and pass it: `--env-var adminToken=<token>`.',
        "With `TENANTS_FILE` set, give a tenant's API key and id too: `--env-var apiKey=<key> --env-var tenant=<id>`.",
      ].join('\n'),
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    item: steps.map((step) => itemOf(document, step)),
    variable: [
      ...Object.entries(COLLECTION_SETTINGS).map(([key, value]) => ({ key, value, type: 'string' as const })),
      ...stepVariables(steps).map((key) => ({ key, value: '', type: 'string' as const })),
    ],
  };
}

/** The collection as the committed file holds it. */
export function postmanCollectionText(document: OpenApiDocument): string {
  return `${JSON.stringify(postmanCollectionOf(document), null, 2)}\n`;
}
