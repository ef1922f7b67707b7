import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestCluster, eventually, freeLauncherPort, postJson, sampleEvent, startService, startTestCluster } from '@ddup/test-utils';

const LAUNCHER = fileURLToPath(new URL('../../apps/ddup/src/main.ts', import.meta.url));
let cluster: TestCluster;
let dataDir: string;

beforeAll(async () => {
  cluster = await startTestCluster(3);
  dataDir = mkdtempSync(join(tmpdir(), 'ddup-cluster-launcher-'));
}, 60_000);

afterAll(async () => {
  await cluster?.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

it('pnpm start with REDIS_CLUSTER_NODES runs gateway and consumers on the cluster, no embedded Redis', async () => {
  const port = await freeLauncherPort();
  const launcher = startService(LAUNCHER, {
    REDIS_URL: '',
    REDIS_CLUSTER_NODES: cluster.seeds,
    STREAM_SHARDS: '16',
    PORT: String(port),
    DDUP_DATA_DIR: dataDir,
  });
  try {
    await eventually('gateway ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, 60_000);
    const body = JSON.stringify(sampleEvent('launcher-on-cluster'));
    expect((await postJson(`http://127.0.0.1:${port}/api/v1/ddup_service/events`, body)).status).toBe(202);
    expect((await postJson(`http://127.0.0.1:${port}/api/v1/ddup_service/events`, body)).status).toBe(409);
  } finally {
    expect(await launcher.stop('SIGINT')).toBe(0);
  }
  expect(launcher.output()).not.toContain('embedded redis-server started');
}, 90_000);
