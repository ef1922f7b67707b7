import type { TargetRun } from '../../lib/load/measure-target.ts';
import type { LoadProfile } from '../../lib/load/profile.ts';
import type { RuntimeName } from '../../lib/processes/runtimes.ts';

/** An HTTP scenario (a, b or c) on one runtime: the gateway and the baseline under the same load. */
export interface HttpScenarioResult {
  readonly id: LoadProfile['id'];
  readonly title: string;
  readonly runtime: RuntimeName;
  readonly eventsPerRequest: number;
  /** Why the scenario did not run (e.g. the gateway has no batch endpoint yet). */
  readonly unavailable?: string;
  readonly ddup?: TargetRun;
  readonly baseline?: TargetRun;
}
