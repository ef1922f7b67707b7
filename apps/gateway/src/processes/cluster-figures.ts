import cluster, { type Worker } from 'node:cluster';

/**
 * What one gateway process counts, for the others to add up when the gateway runs as several
 * processes (GATEWAY_PROCESSES): `metrics` is its prom-client registry as JSON (for /metrics),
 * `live` its event counts and recent request times (for the dashboard).
 */
export type FigureKind = 'metrics' | 'live';

/** Messages between a gateway worker and its primary (node:cluster IPC). */
type ViewRequest = { readonly ddup: 'view-request'; readonly id: number; readonly kind: FigureKind };
type ViewAnswer = { readonly ddup: 'view-answer'; readonly id: number; readonly figures: unknown[] };
type Collect = { readonly ddup: 'collect'; readonly ask: string; readonly kind: FigureKind };
type Collected = { readonly ddup: 'collected'; readonly ask: string; readonly figures: unknown };

/** Whether a node:cluster IPC message is ddup's message `kind` (`{ddup: kind, …}`). */
export function isClusterMessage<T extends { ddup: string }>(message: unknown, kind: T['ddup']): message is T {
  return typeof message === 'object' && message !== null && (message as { ddup?: unknown }).ddup === kind;
}

/** How long a worker waits for the others' figures; a process that does not answer in time is left out. */
const COLLECT_TIMEOUT_MS = 2_000;

/**
 * The primary's side: a worker asking for every process's figures gets them, each worker asked in
 * turn. The primary only passes messages on; it holds no metrics of its own.
 */
export function relayFigureRequests(workers: () => Iterable<Worker>): void {
  let asks = 0;
  cluster.on('message', (from, message: unknown) => {
    if (!isClusterMessage<ViewRequest>(message, 'view-request')) return;
    const ask = `${process.pid}:${++asks}`;
    const targets = [...workers()].filter((worker) => worker.isConnected());
    const figures: unknown[] = [];
    let waiting = targets.length;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cluster.off('message', onCollected);
      if (from.isConnected()) from.send({ ddup: 'view-answer', id: message.id, figures } satisfies ViewAnswer);
    };
    const onCollected = (_: Worker, reply: unknown) => {
      if (!isClusterMessage<Collected>(reply, 'collected') || reply.ask !== ask) return;
      figures.push(reply.figures);
      if (--waiting === 0) finish();
    };
    const timer = setTimeout(finish, COLLECT_TIMEOUT_MS);
    cluster.on('message', onCollected);
    for (const worker of targets) worker.send({ ddup: 'collect', ask, kind: message.kind } satisfies Collect);
    if (waiting === 0) finish();
  });
}

/**
 * A worker's side: answers the primary's collections with `own(kind)`, and asks for every
 * process's figures (its own among them) with `all(kind)`. Outside a cluster worker, `all` is just
 * this process's own.
 */
export class ClusterFigures {
  readonly #own: (kind: FigureKind) => Promise<unknown>;
  readonly #pending = new Map<number, (figures: unknown[]) => void>();
  #ids = 0;

  constructor(own: (kind: FigureKind) => Promise<unknown>) {
    this.#own = own;
    if (!cluster.isWorker) return;
    process.on('message', (message: unknown) => {
      if (isClusterMessage<Collect>(message, 'collect')) {
        void this.#own(message.kind).then((figures) => process.send?.({ ddup: 'collected', ask: message.ask, figures } satisfies Collected));
      } else if (isClusterMessage<ViewAnswer>(message, 'view-answer')) {
        this.#pending.get(message.id)?.(message.figures);
      }
    });
  }

  async all(kind: FigureKind): Promise<unknown[]> {
    if (!cluster.isWorker || !process.send) return [await this.#own(kind)];
    const id = ++this.#ids;
    const answered = new Promise<unknown[]>((resolve) => {
      const timer = setTimeout(() => settle(undefined), COLLECT_TIMEOUT_MS + 500);
      const settle = (figures: unknown[] | undefined) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        resolve(figures ?? []);
      };
      this.#pending.set(id, settle);
    });
    process.send({ ddup: 'view-request', id, kind } satisfies ViewRequest);
    const figures = await answered;
    // The primary gone or slow: this process's own figures are better than none.
    return figures.length > 0 ? figures : [await this.#own(kind)];
  }
}
