import { type SideRun, type SideSettings, measureSide } from './measure-side.ts';

/** One `pnpm start` to measure: a label, the tree it runs from, and settings of its own. */
export interface Side {
  readonly label: string;
  readonly root: string;
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Measures every side once a round, in turn; every other round in reverse order, so that drift on
 * a shared machine weighs on every side alike. Prints a line per run to stderr as it goes.
 */
export async function measureInRounds(sides: readonly Side[], settings: SideSettings & { readonly rounds: number }): Promise<SideRun[]> {
  const runs: SideRun[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const run = await measureSide(side.label, side.root, { ...settings, env: { ...settings.env, ...side.env } });
      console.error(
        `round ${round + 1}, ${side.label}: ${Math.round(run.requestsPerSecond)} req/s, gateway ${run.cpuMicrosPerRequest.gateway?.toFixed(1)} µs/req`,
      );
      runs.push(run);
    }
  }
  return runs;
}
