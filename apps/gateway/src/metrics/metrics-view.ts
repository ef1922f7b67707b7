import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { ClusterFigures, type FigureKind } from '../processes/cluster-figures.ts';
import { type GatewayMetrics, type LiveCounts, type LiveFigures, liveFiguresOf } from './gateway-metrics.ts';

type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * What /metrics and the dashboard show: this process's metrics, or, when the gateway runs as
 * several processes (GATEWAY_PROCESSES, node:cluster), every process's added up (counters and
 * histograms summed; the gauges read from Redis taken once, see store-gauges.ts), so that one
 * scrape of the shared port sees the whole gateway whichever process answers it.
 */
export class MetricsView {
  readonly contentType: string;
  readonly #metrics: GatewayMetrics;
  readonly #figures: ClusterFigures;

  constructor(metrics: GatewayMetrics) {
    this.#metrics = metrics;
    this.contentType = metrics.registry.contentType;
    this.#figures = new ClusterFigures((kind: FigureKind) => (kind === 'metrics' ? metrics.registry.getMetricsAsJSON() : metrics.liveCounts()));
  }

  /** The Prometheus text exposition. */
  async text(): Promise<string> {
    if (!cluster.isWorker) return this.#metrics.registry.metrics();
    const all = (await this.#figures.all('metrics')) as MetricsJson[];
    return AggregatorRegistry.aggregate(all).metrics();
  }

  async liveFigures(): Promise<LiveFigures> {
    if (!cluster.isWorker) return this.#metrics.liveFigures();
    return liveFiguresOf((await this.#figures.all('live')) as LiveCounts[]);
  }
}
