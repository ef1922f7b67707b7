import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX, type Gateway, createGateway, parseGatewayConfig, stopGateway } from '@ddup/gateway';
import { createLogger } from '@ddup/runtime';
import { CONSUMER_GROUP, INDEX_LAYOUT_KEY, Store, deadLetterStreamKey, estimateRememberedEvents, eventsStreamKey } from '@ddup/store';
import { type TestRedis, eventually, makeDeadLetters, names, sampleEvent, startTestRedis } from '@ddup/test-utils';

// `pnpm ddup` run as operators run it, a child process, against a real redis-server that a real
// gateway wrote to. The CLI is given REDIS_URL and the window only: it reads the layout from Redis.

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SHARDS = 2;
const WINDOW_SECONDS = 3_600;
const CAPACITY = 5_000;
const store = new Store({ shardCount: SHARDS, indexCapacity: CAPACITY, windowSeconds: WINDOW_SECONDS });
let redis: TestRedis;
let client: Awaited<ReturnType<TestRedis['client']>>;
let gateway: Gateway;
let dir: string;

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ddup <args>` to its end, with REDIS_URL and DEDUP_WINDOW_SECONDS set unless `env` says otherwise. */
function ddup(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], {
    env: {
      ...process.env,
      REDIS_URL: redis.url,
      REDIS_CLUSTER_NODES: '',
      STREAM_SHARDS: '',
      INDEX_CAPACITY: '',
      DEDUP_WINDOW_SECONDS: String(WINDOW_SECONDS),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return finished(child);
}

/** The child's output and exit code, once it has closed. */
function finished(child: ChildProcessByStdio<null, Readable, Readable>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

async function postEvent(event: object): Promise<{ status: number; hash: string }> {
  const response = await gateway.app.request(`http://localhost${API_PREFIX}/events`, { method: 'POST', body: JSON.stringify(event) });
  const body = (await response.json()) as { hash?: string };
  return { status: response.status, hash: String(body.hash) };
}

beforeAll(async () => {
  redis = await startTestRedis();
  client = await redis.client();
  dir = mkdtempSync(join(tmpdir(), 'ddup-cli-'));
  const config = parseGatewayConfig({
    REDIS_URL: redis.url,
    STREAM_SHARDS: String(SHARDS),
    INDEX_CAPACITY: String(CAPACITY),
    DEDUP_WINDOW_SECONDS: String(WINDOW_SECONDS),
  });
  gateway = createGateway(config, createLogger('test', 'error'));
  // Ready, and the layout recorded in Redis (which the CLI reads instead of STREAM_SHARDS).
  await eventually('gateway ready, layout recorded', async () => gateway.preflight.hasPassed && (await client.get(INDEX_LAYOUT_KEY)) !== null);
});

afterAll(async () => {
  if (gateway) await stopGateway(gateway);
  await redis.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('ddup lookup and forget', () => {
  it('looks an event up by its hash and by its event file, hashed as the gateway hashed it', async () => {
    const event = sampleEvent('cli-lookup', { payload: { price: 9.5, item: 'x' } });
    const accepted = await postEvent(event);
    expect(accepted.status).toBe(202);

    const byHash = await ddup(['lookup', accepted.hash]);
    expect(byHash.code, byHash.stderr).toBe(0);
    expect(byHash.stdout).toMatch(new RegExp(`^hash +${accepted.hash}$`, 'm'));
    expect(byHash.stdout).toMatch(/^state +pending$/m);

    const json = await ddup(['lookup', accepted.hash, '--json']);
    const remembered = JSON.parse(json.stdout) as Record<string, string>;
    expect(remembered).toMatchObject({ hash: accepted.hash, state: 'pending' });
    expect(Date.parse(String(remembered.expires_at))).toBe(Date.parse(String(remembered.first_seen_at)) + 1_000 + WINDOW_SECONDS * 1_000);

    // The same event as a client may write it: other key order, an unknown field, 9.50 for 9.5.
    const file = join(dir, 'event.json');
    writeFileSync(
      file,
      `{"payload": {"item": "x", "price": 9.50}, "extra": 1, "timestamp": "${event.timestamp}", "event_type": "view", "user_id": "user-cli-lookup"}`,
    );
    const byFile = await ddup(['lookup', '--event', file, '--json']);
    expect(byFile.code, byFile.stderr).toBe(0);
    expect(JSON.parse(byFile.stdout)).toEqual(remembered);
    // Another canonical form is another key, which this window never saw.
    const otherForm = await ddup(['lookup', '--event', file], { CANONICAL_FORM: 'jcs' });
    expect(otherForm.code).toBe(1);
    expect(otherForm.stderr).toContain('not remembered');
  });

  it('exits 1 for an unknown hash, 2 for something that is no hash or no valid event', async () => {
    const unknown = await ddup(['lookup', 'f'.repeat(64)]);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toContain(`not remembered: ${'f'.repeat(64)}`);
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, '{"user_id": "u", "event_type": "e", "timestamp": "t"}');
    const badEvent = await ddup(['lookup', '--event', invalid]);
    expect(badEvent.code).toBe(2);
    expect(badEvent.stderr).toContain('not a valid event (the gateway would answer 422)');
    expect(badEvent.stderr).toContain('"loc":["body","payload"]');
    expect((await ddup(['lookup', 'ABC'])).code).toBe(2);
  });

  it('forgets an event, after which the identical event is accepted again', async () => {
    const event = sampleEvent('cli-forget');
    const { hash } = await postEvent(event);
    expect((await postEvent(event)).status).toBe(409);
    const forgotten = await ddup(['forget', hash]);
    expect(forgotten.code, forgotten.stderr).toBe(0);
    expect(forgotten.stdout).toContain(`forgot ${hash}`);
    expect((await ddup(['lookup', hash])).code).toBe(1);
    expect(await postEvent(event)).toEqual({ status: 202, hash });
    const again = await ddup(['forget', 'e'.repeat(64), '--json']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({ hash: 'e'.repeat(64), forgotten: false });
  });

  it('refuses a STREAM_SHARDS that disagrees with the one the data was written with', async () => {
    const run = await ddup(['lookup', 'f'.repeat(64)], { STREAM_SHARDS: '4' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`STREAM_SHARDS=4, but this Redis holds data written with STREAM_SHARDS=${SHARDS}`);
  });
});

describe('ddup with TENANTS_FILE', () => {
  it("looks up, counts and forgets in a tenant's space, hashed with its key fields, and says what --tenant needs", async () => {
    const key = 'cli-tenant-key-0123456789';
    const tenantsFile = join(dir, 'tenants.json');
    const digest = createHash('sha256').update(key).digest('hex');
    writeFileSync(
      tenantsFile,
      JSON.stringify({ tenants: [{ id: 'acme', api_keys: [`sha256:${digest}`], window_seconds: 7200, key_fields: ['user_id', 'event_type'] }] }),
    );
    const tenantGateway = createGateway(
      parseGatewayConfig({ REDIS_URL: redis.url, TENANTS_FILE: tenantsFile, STREAM_SHARDS: String(SHARDS), INDEX_CAPACITY: String(CAPACITY) }),
      createLogger('test', 'error'),
    );
    try {
      await eventually('tenant gateway checked its Redis', () => tenantGateway.preflight.hasPassed);
      const event = sampleEvent('cli-tenant');
      const response = await tenantGateway.app.request(`http://localhost${API_PREFIX}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify(event),
      });
      expect(response.status).toBe(202);
      const { hash } = (await response.json()) as { hash: string };
      // Another timestamp, outside the key fields: the same key.
      const file = join(dir, 'tenant-event.json');
      writeFileSync(file, JSON.stringify({ ...event, timestamp: '2030-01-01T00:00:00Z' }));
      const withFile = { TENANTS_FILE: tenantsFile };

      const found = await ddup(['lookup', '--event', file, '--tenant', 'acme', '--json'], withFile);
      expect(found.code, found.stderr).toBe(0);
      const remembered = JSON.parse(found.stdout) as Record<string, string>;
      expect(remembered).toMatchObject({ hash, state: 'pending' });
      expect(Date.parse(String(remembered.expires_at))).toBe(Date.parse(String(remembered.first_seen_at)) + 1_000 + 7_200 * 1_000);
      // The default space never saw it.
      expect((await ddup(['lookup', hash], withFile)).code).toBe(1);
      // Only the tenants' spaces count (20 buckets per shard: all read, an exact count).
      const inspected = await ddup(['inspect', '--json'], withFile);
      expect((JSON.parse(inspected.stdout) as { rememberedEvents: number }).rememberedEvents).toBe(1);

      const noFile = await ddup(['lookup', hash, '--tenant', 'acme']);
      expect(noFile.code).toBe(2);
      expect(noFile.stderr).toContain('--tenant needs TENANTS_FILE');
      const unknown = await ddup(['lookup', hash, '--tenant', 'nope'], withFile);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('no tenant "nope"');
      expect(unknown.stderr).toContain('(tenants: acme)');

      const forgotten = await ddup(['forget', hash, '--tenant', 'acme'], withFile);
      expect(forgotten.code, forgotten.stderr).toBe(0);
      expect((await ddup(['lookup', hash, '--tenant', 'acme'], withFile)).code).toBe(1);
    } finally {
      await stopGateway(tenantGateway);
    }
  });
});

describe('ddup inspect and dead-letters', () => {
  it('inspects every shard by the names XINFO takes, then lists and replays thousands of dead letters with progress', async () => {
    // What the earlier tests left in the index (20 buckets per shard, all sampled: an exact count).
    const before = await estimateRememberedEvents(client, store.layout, [{ windowSeconds: WINDOW_SECONDS }]);
    const letters = await makeDeadLetters(client, store, names('cli-dead', 2_500), 'poison', 5);
    const inspected = await ddup(['inspect', '--json']);
    expect(inspected.code, inspected.stderr).toBe(0);
    const report = JSON.parse(inspected.stdout) as {
      shards: {
        shard: number;
        stream: string;
        group: string;
        deadLetterStream: string;
        length: number;
        pending: number;
        deadLetters: number;
        consumers: { name: string }[];
      }[];
      memory: { usedBytes: number }[];
      usedMemoryBytes: number;
      rememberedEvents: number;
      bytesPerRememberedEvent: number;
    };
    expect(report.shards.map((s) => [s.stream, s.group, s.deadLetterStream])).toEqual([
      [eventsStreamKey(0), CONSUMER_GROUP, deadLetterStreamKey(0)],
      [eventsStreamKey(1), CONSUMER_GROUP, deadLetterStreamKey(1)],
    ]);
    for (const shard of report.shards) {
      expect(shard.length).toBe(await client.xLen(eventsStreamKey(shard.shard)));
      expect(shard.deadLetters).toBe(letters.filter((letter) => letter.shard === shard.shard).length);
      expect(shard.consumers.map((consumer) => consumer.name)).toContain('never-confirms');
    }
    const remembered = before + 2_500;
    expect(report.rememberedEvents).toBe(remembered);
    expect(report.memory).toHaveLength(1);
    expect(report.usedMemoryBytes).toBe(report.memory[0]?.usedBytes);
    expect(report.bytesPerRememberedEvent).toBe(Math.round(report.usedMemoryBytes / remembered));

    // The table shows the same, under the names redis-cli XINFO takes.
    const table = await ddup(['inspect']);
    expect(table.code, table.stderr).toBe(0);
    for (const shard of report.shards) {
      const row = table.stdout.split('\n').find((line) => line.startsWith(`${shard.shard}  `) && line.includes(shard.stream));
      expect(row?.split(/\s+/).slice(0, 6)).toEqual([
        String(shard.shard),
        shard.stream,
        'ddup-workers',
        String(shard.length),
        expect.any(String),
        String(shard.pending),
      ]);
      expect(row).toContain(shard.deadLetterStream);
    }
    expect(table.stdout).toContain('never-confirms');
    expect(table.stdout).toMatch(/^total +\d+(\.\d)? (B|KiB|MiB)/m);
    expect(table.stdout).toContain(`remembered events ≈ ${remembered}`);
    // used_memory moves between two reads, so only the shape here.
    expect(table.stdout).toMatch(/^bytes per remembered event ≈ \d+ \(used_memory \/ remembered events/m);

    const listed = await ddup(['dead-letters', 'list', '--count', '3', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(3 * SHARDS);
    // Entry ids are per stream: two shards' can be equal.
    const made = new Map(letters.map((letter) => [`${letter.shard}/${letter.sourceId}`, letter]));
    for (const line of lines) {
      const letter = made.get(`${line.shard}/${line.source_id}`);
      expect(line).toEqual({
        shard: letter?.shard,
        id: expect.stringMatching(/^\d+-\d+$/),
        source_id: letter?.sourceId,
        reason: 'poison',
        deliveries: 5,
        hash: letter?.hash,
        event: letter?.canonical,
      });
    }
    expect(listed.stderr).toContain(`${3 * SHARDS} dead letter(s) (of 2500`);

    // One letter by its id (and shard, since ids are per stream), then all the rest.
    const [one] = lines;
    const single = await ddup(['dead-letters', 'replay', '--id', String(one?.id), '--shard', String(one?.shard)]);
    expect(single.code, single.stderr).toBe(0);
    expect(single.stdout).toBe('replayed 1 dead letter(s)\n');
    const rest = await ddup(['dead-letters', 'replay']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stdout).toBe('replayed 2499 dead letter(s)\n');
    // Not a terminal: a line each 1,000 letters.
    expect(rest.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^replayed 1\d{3} of 2499$/), expect.stringMatching(/^replayed 2\d{3} of 2499$/)]);
    expect([await client.xLen(deadLetterStreamKey(0)), await client.xLen(deadLetterStreamKey(1))]).toEqual([0, 0]);
    const lengths = (await ddup(['inspect', '--json'])).stdout;
    const after = JSON.parse(lengths) as { shards: { length: number; deadLetters: number }[] };
    expect(after.shards.reduce((sum, s) => sum + s.length, 0)).toBe(report.shards.reduce((sum, s) => sum + s.length, 0) + 2_500);
    expect((await ddup(['dead-letters', 'list'])).stderr).toBe('0 dead letter(s)\n');
  }, 60_000);
});

describe('usage', () => {
  it.each([
    [[], 'no command given'],
    [['frobnicate'], 'unknown command: frobnicate'],
    [['dead-letters'], 'dead-letters: expected "list" or "replay"'],
    [['dead-letters', 'list', '--count', 'lots'], '--count must be a whole number'],
    [['dead-letters', 'list', '--shard', '2'], '--shard must be from 0 to 1'],
    [['inspect', '--event', 'x.json'], 'inspect takes no --event'],
    [['lookup'], 'give the event hash'],
    [['lookup', 'a'.repeat(64), 'b'.repeat(64)], 'unexpected argument'],
    [['inspect', '--bogus'], "Unknown option '--bogus'"],
  ])('ddup %j says what is wrong and a one-line usage, and exits 2', async (args, message) => {
    const run = await ddup(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const [problem, usage, ...rest] = run.stderr.split('\n');
    expect(problem).toMatch(/^ddup: /);
    expect(problem).toContain(message);
    expect(usage).toMatch(/^usage: pnpm -s ddup inspect \| lookup .*help/);
    expect(rest).toEqual(['']);
  });

  it.each([['--help'], ['help']])('ddup %s prints the whole usage on stdout and exits 0', async (flag) => {
    const run = await ddup([flag]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('usage: pnpm -s ddup <command>');
    expect(run.stdout).toContain('dead-letters replay [--count N]');
  });

  it('says where it looked when no Redis is named and no pnpm start runs', async () => {
    const run = await ddup(['inspect'], { REDIS_URL: '', DDUP_DATA_DIR: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no REDIS_URL or REDIS_CLUSTER_NODES, and no running embedded Redis under ${dir}`);
  });
});

describe('as the README runs it (npx, pnpm -s)', () => {
  const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
  /** The README's shell lines that run the CLI with --json, without their comments. */
  const jsonLines = readFileSync(join(ROOT, 'README.md'), 'utf8')
    .split('\n')
    .filter((line) => /^npx -y pnpm@\S+ -s ddup .*--json/.test(line))
    .map((line) => line.replace(/\s+#.*$/, ''));
  const invocation = /^(npx -y pnpm@\S+ -s ddup) /.exec(jsonLines[0] ?? '')?.[1] ?? 'not in the README';

  /** Runs `command` with sh in the repository, as a reader would, Redis named as in the other tests. */
  function shell(command: string): Promise<CliRun> {
    // Nothing of the pnpm that may be running this test (npm_config_*) reaches the reader's npx.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|pnpm_|PNPM_)/i.test(name)));
    const child = spawn('sh', ['-c', command], {
      cwd: ROOT,
      env: { ...env, REDIS_URL: redis.url, DEDUP_WINDOW_SECONDS: String(WINDOW_SECONDS) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return finished(child);
  }

  it("prints JSON alone on stdout with --json, which python3's json module reads", { timeout: 60_000 }, async () => {
    expect(jsonLines.length).toBeGreaterThanOrEqual(2);
    const accepted = await postEvent(sampleEvent('readme-cli'));
    for (const line of jsonLines) {
      // What is piped to (jq ...) is replaced by the check; <hash> by an event the gateway accepted.
      const command = (line.split(' | ')[0] ?? '').replaceAll('<hash>', accepted.hash);
      const run = await shell(command);
      expect(run.code, `${command}\n${run.stderr}`).toBe(0);
      const parsed = spawnSync('python3', ['-c', 'import json,sys; json.load(sys.stdin)'], { input: run.stdout, encoding: 'utf8' });
      expect(parsed.status, `${command}\nstdout:\n${run.stdout}\n${parsed.stderr}`).toBe(0);
    }
  });

  it("adds nothing of pnpm to a non-zero exit: the CLI's own line on stderr, its exit code", { timeout: 60_000 }, async () => {
    const missing = await shell(`${invocation} lookup ${'f'.repeat(64)} --json`);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(`not remembered: ${'f'.repeat(64)} (never accepted within the last ${WINDOW_SECONDS} s, or forgotten)\n`);
    const usage = await shell(`${invocation} frobnicate`);
    expect(usage.code).toBe(2);
    expect(usage.stderr.split('\n')).toEqual(['ddup: unknown command: frobnicate', expect.stringMatching(/^usage: pnpm -s ddup /), '']);
  });
});
