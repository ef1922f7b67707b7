/**
 * The data-directory lock between real processes: one holder at a time, a holder's SIGKILL leaves
 * a stale lock the next process takes over, a pid reused by another process does not pass for the
 * holder, and processes racing for a stale lock end with exactly one owner.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { type ServiceProcess, eventually, startService } from '@ddup/test-utils';
import { processStartTime } from '../src/process-identity.ts';

const HOLD_LOCK = fileURLToPath(new URL('./fixtures/hold-lock.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'ddup-lock-'));
const lockFile = join(dataDir, 'ddup.lock');
const started: ServiceProcess[] = [];

afterAll(async () => {
  await Promise.all(started.map((service) => service.stop('SIGKILL')));
  rmSync(dataDir, { recursive: true, force: true });
});

interface Outcome {
  readonly acquired: boolean;
  readonly pid?: number;
  readonly heldBy?: number;
  readonly message?: string;
}

function holdLock(holdMs: number, startAtMs?: number): ServiceProcess {
  const service = startService(HOLD_LOCK, {}, [dataDir, String(holdMs), ...(startAtMs === undefined ? [] : [String(startAtMs)])]);
  started.push(service);
  return service;
}

async function outcomeOf(service: ServiceProcess): Promise<Outcome> {
  await service.waitForOutput(/^\{.*\}$/m, 30_000);
  const line =
    service
      .output()
      .split('\n')
      .find((text) => text.startsWith('{')) ?? '{}';
  return JSON.parse(line) as Outcome;
}

it("one holder at a time; a SIGKILLed holder's lock is taken over; release removes it", async () => {
  const first = holdLock(60_000);
  expect(await outcomeOf(first)).toEqual({ acquired: true, pid: first.pid });

  const second = holdLock(0);
  const refused = await outcomeOf(second);
  expect(refused).toMatchObject({ acquired: false, heldBy: first.pid });
  expect(refused.message).toContain(dataDir);
  expect(await second.exited).toBe(4);

  await first.stop('SIGKILL');
  expect(existsSync(lockFile)).toBe(true); // stale: nobody removed it
  const third = holdLock(200);
  expect(await outcomeOf(third)).toEqual({ acquired: true, pid: third.pid });
  expect(await third.exited).toBe(0);
  expect(existsSync(lockFile)).toBe(false);
}, 60_000);

it('a lock naming a running pid with another start time (the pid was reused) is stale; with its own start time it holds', async () => {
  // This test process is alive; the lock says it started at another time.
  writeFileSync(lockFile, `${JSON.stringify({ pid: process.pid, started: '1', nonce: 'reused' })}\n`);
  const taker = holdLock(0);
  expect(await outcomeOf(taker)).toEqual({ acquired: true, pid: taker.pid });
  expect(await taker.exited).toBe(0);

  const started = processStartTime(process.pid);
  expect(started).toBeDefined();
  writeFileSync(lockFile, `${JSON.stringify({ pid: process.pid, started, nonce: 'live' })}\n`);
  const refused = holdLock(0);
  expect(await outcomeOf(refused)).toMatchObject({ acquired: false, heldBy: process.pid });
  rmSync(lockFile);
}, 60_000);

it('processes racing for a stale lock: exactly one gets it, the others name it', async () => {
  const holder = holdLock(60_000);
  await outcomeOf(holder);
  await holder.stop('SIGKILL');
  const startAt = Date.now() + 3_000; // every racer started and compiled by then
  const racers = Array.from({ length: 4 }, () => holdLock(1_000, startAt));
  const outcomes = await Promise.all(racers.map(outcomeOf));
  const winners = outcomes.filter((outcome) => outcome.acquired);
  expect(winners, JSON.stringify(outcomes)).toHaveLength(1);
  const winner = winners[0]?.pid;
  expect(outcomes.filter((outcome) => !outcome.acquired).map((outcome) => outcome.heldBy)).toEqual([winner, winner, winner]);
  expect((JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number }).pid).toBe(winner);
  await eventually('the winner released the lock', () => !existsSync(lockFile), 15_000);
}, 60_000);
