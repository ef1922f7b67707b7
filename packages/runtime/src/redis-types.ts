import type { RedisTarget } from '@ddup/config';
import type { Logger } from './log.ts';

/** A command word: text, or bytes sent as they are. */
export type RedisArgument = string | Buffer;

/** What ddup's code sends to Redis, the same for one server and for a cluster. */
export interface RedisCommands {
  /** Sends a command; on a cluster, to the master that holds its first key. */
  sendCommand<T = unknown>(args: readonly RedisArgument[]): Promise<T>;
  /**
   * A sender whose commands all travel over one connection, the one to the master of `key`: for
   * a write and the WAIT that must follow it on the same connection (WAIT covers only the writes
   * sent before it on its own connection; sent elsewhere it would vouch for nothing).
   */
  pinnedTo(key: string): Promise<PinnedSender>;
  /** Sends a keyless command (PING, CONFIG GET) to every master; one reply per master. */
  sendToEachMaster<T = unknown>(args: readonly RedisArgument[]): Promise<T[]>;
}

/** Commands over one connection; `sameConnection()` is false once it was re-established or replaced. */
export interface PinnedSender {
  sendCommand<T = unknown>(args: readonly RedisArgument[]): Promise<T>;
  sameConnection(): boolean;
  /** The connection itself: senders pinned to keys of one node share it (one WAIT covers them all). */
  readonly connection: object;
}

/** A connection to one Redis or to a Redis Cluster, with the lifecycle ddup's processes need. */
export interface RedisConnection extends RedisCommands {
  readonly target: RedisTarget;
  /** Connected and able to take commands (on a cluster: the topology is known). */
  readonly isReady: boolean;
  /**
   * Whether one group read may name the streams of several shards. Not on a cluster: the shards
   * live in different slots (CROSSSLOT), so each is read on its own.
   */
  readonly readsAcrossShards: boolean;
  /** Resolves once ready (at once if it is); rejects when `signal` aborts first. */
  untilReady(signal?: AbortSignal): Promise<void>;
  /** Calls `listener` at every (re)connection. */
  onReady(listener: () => void): void;
  /** Connects once; rejects when Redis cannot be reached. */
  connect(): Promise<void>;
  /** Starts connecting; failures are logged and retried for ever, until close(). */
  connectInBackground(): void;
  /** Waits for replies to commands already sent, then disconnects. */
  close(): Promise<void>;
  /** Disconnects at once; commands in flight fail. */
  destroy(): void;
}

export interface RedisConnectionOptions {
  readonly target: RedisTarget;
  /** CLIENT SETNAME, so `CLIENT LIST` shows who is who. */
  readonly name: string;
  /** Bounds connecting; ddup bounds commands itself (withCommandTimeout). */
  readonly commandTimeoutMs: number;
  readonly logger: Logger;
  /** Log "redis ready" at info at each (re)connection; default true. A pool of connections to one Redis says it once (the others at debug). */
  readonly announceReady?: boolean;
  /**
   * Log a line every few seconds while Redis does not answer (default true); false for a pool's
   * other connections to the same Redis, so that an outage is one line per process.
   */
  readonly reportOutages?: boolean;
}
