/**
 * The project's own Postman collection (postman/, generated from the OpenAPI document), run with
 * newman against real gateways and a consumer pool on a real Redis, admin routes on: every request
 * runs and every test in it passes (statuses, headers, answers matching the document's schemas),
 * against a gateway without TENANTS_FILE (no API key sent) and one with it (`apiKey`, `tenant` given).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import newman, { type NewmanRunOptions, type NewmanRunSummary } from 'newman';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ServiceProcess, startGatewayProcess, startService, useTestRedis } from '@ddup/test-utils';
import { API, CONSUMER_ENTRY, READY_TIMEOUT_MS, REPO_ROOT, makeTempDir, removeDir } from './ddup-process.ts';

const COLLECTION = join(REPO_ROOT, 'postman/ddup.postman_collection.json');
const ADMIN_TOKEN = 'postman-test-token-0123456789abcdef';
const TENANT = { id: 'postman', apiKey: 'postman-tenant-key-0123456789abcdef' };

const runCollection = promisify((options: NewmanRunOptions, done: (error: Error | null, summary: NewmanRunSummary) => void) => {
  newman.run(options, done);
});

const test = useTestRedis();
let tenantsDir: string | undefined;
const services: ServiceProcess[] = [];
/** The gateway without TENANTS_FILE, and the one with it (same Redis, its own dedup space). */
let openUrl: string;
let tenantUrl: string;
/** A gateway as a plain `pnpm start` runs it: no TENANTS_FILE, no DDUP_ADMIN_TOKEN (no admin routes). */
let plainUrl: string;

/** Starts a gateway on a free port and resolves with its URL once GET /readyz is 200. */
async function startGateway(env: Record<string, string>): Promise<string> {
  const gateway = await startGatewayProcess(env, { readyTimeoutMs: READY_TIMEOUT_MS });
  services.push(gateway.service);
  return gateway.url;
}

beforeAll(async () => {
  tenantsDir = makeTempDir('ddup-postman-tenants-');
  const tenantsFile = join(tenantsDir, 'tenants.json');
  const digest = `sha256:${createHash('sha256').update(TENANT.apiKey).digest('hex')}`;
  writeFileSync(tenantsFile, JSON.stringify({ tenants: [{ id: TENANT.id, api_keys: [digest] }] }));
  const env = { REDIS_URL: test.redis.url, LOG_LEVEL: 'warn' };
  // One pool for both: it confirms default entries and the tenant's alike.
  services.push(startService(CONSUMER_ENTRY, { ...env, TENANTS_FILE: tenantsFile }));
  const admin = { DDUP_ADMIN_TOKEN: ADMIN_TOKEN };
  [openUrl, tenantUrl, plainUrl] = await Promise.all([
    startGateway({ ...env, ...admin }),
    startGateway({ ...env, ...admin, TENANTS_FILE: tenantsFile }),
    startGateway(env),
  ]);
}, 120_000);

afterAll(async () => {
  for (const service of services) await service.stop('SIGTERM');
  removeDir(tenantsDir);
});

/** The names of the collection's requests, in order. */
function requestNames(): string[] {
  const collection = JSON.parse(readFileSync(COLLECTION, 'utf8')) as { item: { name: string }[] };
  return collection.item.map((item) => item.name);
}

async function runOnce(variables: Record<string, string>) {
  const summary = await runCollection({
    collection: COLLECTION,
    envVar: Object.entries(variables).map(([key, value]) => ({ key, value })),
    reporters: [],
    timeoutRequest: 30_000,
  });
  const failures = summary.run.failures.map((failure) => `${failure.source?.name ?? '?'}: ${failure.error.message}`);
  const ran = summary.run.executions.map((execution) => {
    // A request that got no answer (refused, timed out) has no response.
    const response: { readonly code: number } | undefined = execution.response;
    return { name: execution.item.name, answered: response !== undefined };
  });
  // What was sent, as sent (after the pre-request scripts and the auth helper).
  const sent = summary.run.executions.map((execution) => ({
    path: execution.request.url.getPath(),
    query: execution.request.url.getQueryString(),
    authorization: execution.request.headers.get('Authorization') ?? undefined,
  }));
  return { failures, ran, sent, assertions: summary.run.stats.assertions };
}

it('runs every request without TENANTS_FILE with no failure, twice in a row, sending no API key and no ?tenant=', { timeout: 120_000 }, async () => {
  const names = requestNames();
  expect(names.length).toBeGreaterThan(10);
  // The second run proves the collection holds on a gateway it already ran against (fresh events each time).
  for (const round of ['first', 'second']) {
    const { failures, ran, sent, assertions } = await runOnce({ baseUrl: openUrl, adminToken: ADMIN_TOKEN });
    expect(failures, `${round} run: newman failures`).toEqual([]);
    expect(ran, `${round} run: every request answered, in order`).toEqual(names.map((name) => ({ name, answered: true })));
    // Each request checks at least its status.
    expect(assertions.total, `${round} run: assertions`).toBeGreaterThanOrEqual(names.length);
    expect(assertions.failed).toBe(0);
    for (const request of sent.filter(({ path }) => path.startsWith(`${API}/events`))) expect(request.authorization, request.path).toBeUndefined();
    expect(sent.map(({ query }) => query).filter((query) => query.includes('tenant'))).toEqual([]);
  }
});

it("runs every request with TENANTS_FILE, given the tenant's API key and id, with no failure", { timeout: 120_000 }, async () => {
  const names = requestNames();
  const { failures, ran, sent, assertions } = await runOnce({ baseUrl: tenantUrl, adminToken: ADMIN_TOKEN, apiKey: TENANT.apiKey, tenant: TENANT.id });
  expect(failures, 'newman failures').toEqual([]);
  expect(ran).toEqual(names.map((name) => ({ name, answered: true })));
  expect(assertions.failed).toBe(0);
  const events = sent.filter(({ path }) => path.startsWith(`${API}/events`));
  expect(events.length).toBeGreaterThan(3);
  for (const request of events) expect(request.authorization, request.path).toBe(`Bearer ${TENANT.apiKey}`);
  const lookups = sent.filter(({ path }) => path.startsWith('/admin/events/'));
  expect(lookups.length).toBeGreaterThan(2);
  for (const request of lookups) expect(request.query).toBe(`tenant=${TENANT.id}`);
});

it('runs against a gateway without DDUP_ADMIN_TOKEN, adminToken empty: the admin requests skip themselves, every other passes', {
  timeout: 120_000,
}, async () => {
  const collection = JSON.parse(readFileSync(COLLECTION, 'utf8')) as { item: { name: string; request: { url: { path: string[] } } }[] };
  const { failures, ran, sent, assertions } = await runOnce({ baseUrl: plainUrl });
  expect(failures, 'newman failures').toEqual([]);
  expect(assertions.failed).toBe(0);
  const answered = ran.filter((request) => request.answered).map((request) => request.name);
  const admin = collection.item.filter((item) => item.request.url.path[0] === 'admin').map((item) => item.name);
  expect(admin.length).toBeGreaterThan(3);
  // Every admin request, and the repost of the event the admin API forgot, stay unsent.
  expect(answered).toEqual(requestNames().filter((name) => !admin.includes(name) && name !== 'Post the forgotten event again'));
  expect(sent.filter(({ path }) => path.startsWith('/admin'))).toEqual([]);
  expect(assertions.total).toBeGreaterThanOrEqual(answered.length);
});
