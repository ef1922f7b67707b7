/**
 * The gateway and consumer images, built for real without a Docker engine: each Dockerfile's build
 * stage replayed on an empty pnpm store (npm install of pnpm, `pnpm fetch --prod` from the npm
 * registry, the offline `pnpm deploy`), its runtime stage given only what it copies, then both
 * started as their images start them (CMD, WORKDIR, ENV) against a real redis-server: an event is
 * accepted (202) and confirmed by the consumer, the gateway's HEALTHCHECK passes, and SIGTERM
 * stops both cleanly. See replay-build.ts for what the replay does and does not cover.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { type ServiceProcess, eventually, postJson, sampleEvent, startProcess, useTestRedis, waitUntilReady } from '@ddup/test-utils';
import { type BuiltImage, replayBuilds } from './replay-build.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const APPS = ['gateway', 'consumer'] as const;
type App = (typeof APPS)[number];

/** Both builds, started before the tests: their shared first layers (pnpm, pnpm fetch) once, as Docker's cache would. */
let builds: Promise<Record<App, BuiltImage>>;

const test = useTestRedis();
const started: ServiceProcess[] = [];

/** The image's CMD in its WORKDIR, with its ENV and `overrides` (node is this machine's, the rest the image's). */
function startImage(image: BuiltImage, overrides: Record<string, string>): ServiceProcess {
  const [command, ...args] = image.cmd;
  if (command !== 'node') throw new Error(`unexpected CMD ${image.cmd.join(' ')}`);
  const env = { PATH: process.env.PATH ?? '', HOME: image.runtimeRoot, ...image.env, ...overrides };
  const child = startProcess(process.execPath, args, { cwd: image.workdir, env });
  started.push(child);
  return child;
}

beforeAll(async () => {
  builds = replayBuilds(
    ROOT,
    APPS.map((app) => `apps/${app}/Dockerfile`),
  ).then(([gateway, consumer]) => ({ gateway, consumer }) as Record<App, BuiltImage>);
  // Reported by the tests that await it, not as an unhandled rejection meanwhile.
  builds.catch(() => undefined);
});

afterAll(async () => {
  for (const child of started) await child.stop('SIGKILL');
  const images = await builds.catch(() => undefined);
  for (const image of Object.values(images ?? {})) rmSync(path.dirname(image.runtimeRoot), { recursive: true, force: true });
});

describe.each(APPS)('apps/%s/Dockerfile', (app) => {
  it('builds on an empty pnpm store: the runtime stage holds the app, its workspace packages and production dependencies only', {
    timeout: 240_000,
  }, async () => {
    const image = (await builds)[app];
    const modules = path.join(image.workdir, 'node_modules');
    for (const file of ['src/main.ts', 'node_modules/tsx/package.json', 'node_modules/@ddup/store/src/index.ts', 'node_modules/@ddup/config/package.json']) {
      expect(existsSync(path.join(image.workdir, file)), `${file}\n${image.log}`).toBe(true);
    }
    // Development dependencies of the app and of the workspace root stay out.
    for (const devOnly of ['bun', 'puppeteer-core', 'vitest', '@biomejs/biome', '@ddup/test-utils', '@types/swagger-ui-dist']) {
      expect(existsSync(path.join(modules, devOnly)), devOnly).toBe(false);
    }
  });
});

it('starts the built gateway and consumer as their images do: an event is accepted (202), then confirmed; the HEALTHCHECK passes; SIGTERM stops both (exit 0)', {
  timeout: 240_000,
}, async () => {
  const images = await builds;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Only this machine's loopback in a test (the image itself listens on every interface).
  const gateway = startImage(images.gateway, { REDIS_URL: test.redis.url, PORT: String(port), HOST: '127.0.0.1' });
  const consumer = startImage(images.consumer, { REDIS_URL: test.redis.url });
  await waitUntilReady(base, 30_000, () => `gateway:\n${gateway.output()}\nconsumer:\n${consumer.output()}`);

  const event = JSON.stringify(sampleEvent('image-build'));
  const accepted = await postJson(`${base}/api/v1/ddup_service/events`, event);
  expect(accepted.status, accepted.text).toBe(202);
  // Confirmed by the consumer: the duplicate's answer says `processed`.
  await eventually('the consumer confirms the event', async () => {
    const again = await postJson(`${base}/api/v1/ddup_service/events`, event);
    return again.status === 409 && again.json.state === 'processed';
  }).catch((error: unknown) => {
    throw new Error(`${String(error)}\nconsumer:\n${consumer.output()}`);
  });

  const [check, ...checkArgs] = images.gateway.healthcheck ?? [];
  expect(check).toBe('node');
  const health = startProcess(process.execPath, checkArgs, { cwd: images.gateway.workdir, env: { ...images.gateway.env, PORT: String(port) } });
  expect(await health.exited, health.output()).toBe(0);

  expect(await gateway.stop('SIGTERM'), gateway.output()).toBe(0);
  expect(await consumer.stop('SIGTERM'), consumer.output()).toBe(0);
});
