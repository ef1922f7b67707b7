import { afterAll, expect, it } from 'vitest';
import { eventually, freeLauncherPort, postJson, sampleEvent } from '@ddup/test-utils';
import { API, type Launcher, cleanupLauncher, isAlive, logRecords, makeTempDir, removeDir, startLauncher } from './ddup-process.ts';

// `pnpm start` without TENANTS_FILE, as a real launcher with its embedded redis-server, gateway and
// consumer: SIGHUPs (a terminal's hang-up, a `kill -HUP` meant for a reload) stop nothing. Each
// process logs and ignores them, and the service keeps serving.

const HANGUPS = 6;
let launcher: Launcher | undefined;
const dataDir = makeTempDir('ddup-e2e-sighup-');

afterAll(async () => {
  await cleanupLauncher(launcher);
  removeDir(dataDir);
});

it(`survives ${HANGUPS} SIGHUPs without TENANTS_FILE: logged and ignored by gateway and consumer, still serving`, { timeout: 120_000 }, async () => {
  launcher = startLauncher({ dataDir, port: await freeLauncherPort() });
  const children = await launcher.ready();
  const ignored = (name: string) =>
    logRecords(launcher?.process.output() ?? '').filter((record) => record.name === name && record.message.startsWith('SIGHUP ignored')).length;
  for (let k = 1; k <= HANGUPS; k++) {
    process.kill(launcher.process.pid, 'SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await eventually('every SIGHUP logged by gateway and consumer', async () => ignored('gateway') === HANGUPS && ignored('consumer') === HANGUPS, 5_000).catch(
    () => undefined,
  );
  for (const pid of [launcher.process.pid, children.gateway, children.consumer]) expect(isAlive(pid), `pid ${pid}`).toBe(true);
  expect(launcher.process.output()).not.toMatch(/exited unexpectedly|restarted/);
  const accepted = await postJson(`${launcher.baseUrl}${API}/events`, JSON.stringify(sampleEvent('after-hangups')));
  expect(accepted.status, accepted.text).toBe(202);
  expect([ignored('gateway'), ignored('consumer')]).toEqual([HANGUPS, HANGUPS]);
  expect(await launcher.stop('SIGTERM')).toBe(0);
});
