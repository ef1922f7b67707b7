import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningRedisServer, startRedisServer } from '@ddup/redis-process';
import { redactUrl } from '@ddup/config';
import type { Logger } from '@ddup/runtime';

/**
 * Keeps the embedded Redis running: if it dies while ddup is not stopping, it is started again on
 * the same port and data directory (replaying its AOF), so gateway and consumers reconnect by
 * themselves. `stop()` ends the supervision and stops the current server.
 */
export class SupervisedRedis {
  #server: RunningRedisServer;
  #stopping = false;
  readonly #logger: Logger;

  constructor(server: RunningRedisServer, logger: Logger) {
    this.#server = server;
    this.#logger = logger;
    void this.#watch();
  }

  /** With the password: for the children, not for logs. */
  get url(): string {
    return this.#server.url;
  }

  get port(): number {
    return this.#server.port;
  }

  async #watch(): Promise<void> {
    for (;;) {
      await this.#server.exited;
      if (this.#stopping) return;
      this.#logger.error('embedded redis-server exited unexpectedly; restarting it', { childPid: this.#server.pid });
      for (let attempt = 0; !this.#stopping; attempt++) {
        await sleep(Math.min(500 * 2 ** attempt, 5_000));
        try {
          this.#server = await startRedisServer({ ...this.#server.options, port: this.#server.port });
          this.#logger.info('embedded redis-server restarted', { url: redactUrl(this.#server.url), childPid: this.#server.pid });
          break;
        } catch (error) {
          this.#logger.error('cannot restart embedded redis-server', { error: String(error) });
        }
      }
    }
  }

  stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    return this.#server.stop(timeoutMs);
  }
}
