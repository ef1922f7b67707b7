import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { positiveInteger } from '../../lib/env-values.ts';
import { benchEnvironment, resultsDir } from '../../lib/env.ts';
import { describeMachine } from '../../lib/machine.ts';
import { EVENTS_STREAM } from '../../lib/redis/stream-length.ts';
import { openProbe } from '../../lib/redis/redis-probe.ts';
import { startRedisNode } from '../../lib/redis/redis-node.ts';
import { type IndexLayoutUnderTest, compactLayout, perKeyLayout, syntheticEvents } from './layouts.ts';
import { type AdmissionCost, admitTimed, fill, usedMemory } from './measure.ts';
import { type IndexReport, renderIndexMarkdown } from './report.ts';

// `pnpm bench:index`: the compact dedup index against the per-key layout it replaced, on fresh
// redis-servers in one run: used_memory per remembered event and Redis CPU per admission (with
// the XADD, as the gateway runs it), then the compact index's admission cost as it fills from 10^5
// to 10^7 remembered events. BENCH_SMOKE=1 makes it tiny (a check that it works, not a figure).
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const env = benchEnvironment();
const smoke = env.BENCH_SMOKE === '1';
const events = positiveInteger('BENCH_INDEX_EVENTS', env.BENCH_INDEX_EVENTS, smoke ? 5_000 : 1_000_000);
const timed = positiveInteger('BENCH_INDEX_TIMED', env.BENCH_INDEX_TIMED, smoke ? 1_000 : 100_000);
const levels = (env.BENCH_INDEX_LEVELS ?? (smoke ? '1000,10000' : '100000,1000000,10000000')).split(',').map(Number);
const inFlight = 100;
const WINDOW_SECONDS = 7 * 24 * 3600;

/** One layout on a fresh redis-server: admit `events`, trim the stream, read used_memory; re-admit a sample (all must be duplicates). */
async function memoryAndCost(layout: IndexLayoutUnderTest) {
  const redis = await startRedisNode('everysec');
  const probe = await openProbe(redis.server.url);
  try {
    await admitTimed(probe, layout, syntheticEvents(-10_000, 1_000), inFlight);
    await probe.sendCommand(['FLUSHALL', 'SYNC']);
    const empty = await usedMemory(probe);
    console.error(`${layout.name}: admitting ${events.toLocaleString('en-US')} events…`);
    const cost = await admitTimed(probe, layout, syntheticEvents(0, events), inFlight);
    await probe.sendCommand(['XTRIM', EVENTS_STREAM, 'MAXLEN', '0']);
    const remembered = await usedMemory(probe);
    const again = await admitTimed(probe, layout, syntheticEvents(0, Math.min(events, 10_000)), inFlight);
    return {
      layout: layout.name,
      cost,
      keys: await probe.sendCommand<number>(['DBSIZE']),
      bytesPerEvent: (remembered - empty) / cost.accepted,
      checks: [
        { name: 'every new event accepted', ok: cost.accepted === events, detail: `${cost.accepted} of ${events}` },
        { name: 're-admitted sample all duplicates', ok: again.accepted === 0, detail: `${again.accepted} of ${again.admissions} accepted again` },
      ],
    };
  } finally {
    probe.close();
    await redis.stop();
  }
}

/** The compact index sized for the largest level, its admission cost measured at each level. */
async function scale() {
  const capacity = Math.max(...levels);
  const layout = compactLayout(WINDOW_SECONDS, capacity);
  const redis = await startRedisNode('everysec');
  const probe = await openProbe(redis.server.url);
  const stages: { remembered: number; cost: AdmissionCost }[] = [];
  try {
    // Fill events and timed events come from separate number ranges, so none repeats another.
    let remembered = 0;
    let filled = 0;
    for (const level of levels) {
      console.error(`scale: filling to ${level.toLocaleString('en-US')} remembered events…`);
      const more = level - remembered;
      if (more > 0) {
        remembered += await fill(probe, layout, filled, filled + more, inFlight);
        filled += more;
      }
      const cost = await admitTimed(probe, layout, syntheticEvents(1_000_000_000 + stages.length * timed, timed), inFlight);
      await probe.sendCommand(['XTRIM', EVENTS_STREAM, 'MAXLEN', '0']);
      stages.push({ remembered, cost });
      remembered += cost.accepted;
    }
    return { capacity, bucketsPerShard: layout.store.layout.bucketsPerShard, timed, stages };
  } finally {
    probe.close();
    await redis.stop();
  }
}

const started = Date.now();
const compact = compactLayout(WINDOW_SECONDS, events);
const perKey = perKeyLayout(WINDOW_SECONDS);
// Interleaved so that a noisy neighbour hurts both alike.
const layouts = [await memoryAndCost(perKey), await memoryAndCost(compact), await memoryAndCost(perKey), await memoryAndCost(compact)];
const report: IndexReport = {
  machine: describeMachine(),
  settings: { events, timed, levels, inFlight, windowSeconds: WINDOW_SECONDS, smoke },
  layouts,
  scale: await scale(),
  totalSeconds: (Date.now() - started) / 1000,
};
const dir = resultsDir(env);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'index.json'), `${JSON.stringify(report, null, 2)}\n`);
const markdown = renderIndexMarkdown(report);
writeFileSync(join(dir, 'index.md'), markdown);
console.log(markdown);
if (layouts.some((layout) => layout.checks.some((check) => !check.ok))) {
  console.error('an honesty check FAILED');
  process.exitCode = 1;
}
