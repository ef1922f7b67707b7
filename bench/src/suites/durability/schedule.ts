import type { ModeSetup } from './modes.ts';

/** The modes of each round: as given in even rounds, reversed in odd ones (ABC CBA ABC …). */
export function mirroredRounds(setups: readonly ModeSetup[], rounds: number): ModeSetup[][] {
  return Array.from({ length: rounds }, (_, round) => (round % 2 === 0 ? [...setups] : [...setups].reverse()));
}
