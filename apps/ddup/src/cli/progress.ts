import type { CliOutput } from './output.ts';

/** A progress line every this many items (when stderr is no terminal). */
export const PROGRESS_EVERY = 1_000;

/**
 * Progress of a long operation on stderr: on a terminal one line rewritten in place, elsewhere (a
 * log, a pipe) a line each time the count passes another `every` items.
 */
export class Progress {
  #reported = 0;

  constructor(
    private readonly output: CliOutput,
    private readonly what: string,
    private readonly total: number,
    private readonly every = PROGRESS_EVERY,
  ) {}

  /** `done` items are done so far. */
  update(done: number): void {
    const line = `${this.what} ${done} of ${this.total}`;
    if (this.output.errIsTTY) this.output.err(`\r${line}`);
    else if (Math.floor(done / this.every) > Math.floor(this.#reported / this.every)) this.output.err(`${line}\n`);
    this.#reported = done;
  }

  /** Ends the rewritten line, so what follows starts on its own. */
  finish(): void {
    if (this.output.errIsTTY && this.#reported > 0) this.output.err('\n');
  }
}
