import type { Logger } from '@ddup/runtime';
import { CONFIGURATION_EXIT_CODE, type Child, type ChildCommand, type ServiceName, isRunning, startChild, stopChild } from './children.ts';
import { RestartPolicy, type RestartPolicySettings } from './restart-policy.ts';

/** Why a child is not restarted: it reported a setting or data layout it cannot run with, or it keeps dying. */
export type GiveUp =
  | { readonly reason: 'configuration'; readonly name: ServiceName; readonly code: number | string }
  | { readonly reason: 'crash-loop'; readonly name: ServiceName; readonly code: number | string; readonly deaths: number; readonly windowMs: number };

/**
 * Keeps one gateway or consumer process running: one that exits while the launcher is not stopping
 * it is started again after a back-off (RestartPolicy), unless it exited with status 2 (it said
 * which setting or data layout is wrong, and would only say it again) or died too often; then
 * `onGiveUp` is called once and nothing more is started.
 */
export class SupervisedChild {
  readonly name: ServiceName;
  readonly #command: ChildCommand;
  readonly #env: NodeJS.ProcessEnv;
  readonly #policy: RestartPolicy;
  readonly #logger: Logger;
  readonly #onGiveUp: (giveUp: GiveUp) => void;
  #child: Child | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  #restartCount = 0;

  constructor(
    name: ServiceName,
    command: ChildCommand,
    env: NodeJS.ProcessEnv,
    policy: RestartPolicySettings,
    logger: Logger,
    onGiveUp: (giveUp: GiveUp) => void,
  ) {
    this.name = name;
    this.#command = command;
    this.#env = env;
    this.#policy = new RestartPolicy(policy);
    this.#logger = logger;
    this.#onGiveUp = onGiveUp;
  }

  /** The running process, if one runs now (not while it waits to be restarted). */
  get current(): Child | undefined {
    return this.#child && isRunning(this.#child) ? this.#child : undefined;
  }

  start(): void {
    this.#spawn(0);
  }

  #spawn(restarts: number): void {
    if (this.#stopped) return;
    const child = startChild(this.name, this.#command, this.#env);
    const startedAt = Date.now();
    this.#child = child;
    this.#logger.info(restarts === 0 ? `${this.name} started` : `${this.name} restarted`, {
      childPid: child.process.pid,
      ...(restarts === 0 ? {} : { restarts }),
    });
    void child.exited.then((code) => this.#onExit(code, Date.now() - startedAt));
  }

  #onExit(code: number | string, ranForMs: number): void {
    if (this.#stopped) return;
    if (code === CONFIGURATION_EXIT_CODE) {
      this.#stopped = true;
      this.#onGiveUp({ reason: 'configuration', name: this.name, code });
      return;
    }
    const decision = this.#policy.onDeath(Date.now(), ranForMs);
    if (!decision.restart) {
      this.#stopped = true;
      this.#onGiveUp({ reason: 'crash-loop', name: this.name, code, deaths: decision.restarts + 1, windowMs: this.#policy.settings.windowMs });
      return;
    }
    this.#logger.error(`${this.name} exited unexpectedly; restarting it`, { code, ranForMs, delayMs: decision.delayMs });
    const restarts = this.#restartCount + 1;
    this.#restartCount = restarts;
    this.#restartTimer = setTimeout(() => this.#spawn(restarts), decision.delayMs);
  }

  /** No more restarts from now on (the launcher is stopping); a running process is left running. */
  stopRestarting(): void {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
  }

  /** No more restarts; stops the process (SIGTERM, SIGKILL after `timeoutMs`) if one runs. */
  async stop(timeoutMs: number): Promise<number | string | undefined> {
    this.stopRestarting();
    return this.#child ? stopChild(this.#child, timeoutMs) : undefined;
  }
}
