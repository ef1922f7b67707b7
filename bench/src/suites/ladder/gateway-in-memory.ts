// A bench-only server for `pnpm bench:ladder`: the gateway's own Hono app (validation, canonical
// JSON, SHA-256, the echoing answer, the error mapping), served as apps/gateway/src/main.ts serves
// it, with admission kept in this process's memory instead of Redis. It measures what the
// gateway's own work costs over the bare baseline, apart from Redis and the consumer. Not a
// product: it forgets everything when it stops.
import type { AdmitResult } from '@ddup/store';
import {
  type AdmissionPorts,
  type AdmitBatch,
  type AdmitEvent,
  type CanonicalForm,
  DEFAULT_SPACE,
  type DedupSpace,
  admittedResultOf,
  gatewayAppOf,
  listen,
  parseGatewayConfig,
} from '@ddup/gateway';
import { createLogger } from '@ddup/runtime';
import { benchEnvironment } from '../../lib/env.ts';

function memoryAdmission(canonicalForm: CanonicalForm): AdmissionPorts {
  const firstSeen = new Map<string, number>();
  let sequence = 0;
  const admitOne = (hash: string): AdmitResult => {
    const seen = firstSeen.get(hash);
    if (seen !== undefined) return { outcome: 'duplicate', hash, state: 'pending', firstSeenMs: seen };
    const now = Date.now();
    firstSeen.set(hash, now - (now % 1000));
    return { outcome: 'accepted', id: `${now}-${sequence++}`, hash };
  };
  const admitEvent: AdmitEvent = async (hash) => admitOne(hash);
  const admitBatch: AdmitBatch = async (events) => events.map((event) => admittedResultOf(admitOne(event.hash)));
  const keys = new Map<string, string>();
  const space: DedupSpace = {
    tenant: undefined,
    label: DEFAULT_SPACE,
    canonicalForm,
    keyFields: undefined,
    rateLimitPerSecond: undefined,
    maxIdempotencyKeys: undefined,
    admitEvent,
    admitBatch,
    claimIdempotencyKey: async (digest, content) => {
      const seen = keys.get(digest);
      if (seen === undefined) keys.set(digest, content);
      return seen === undefined ? 'new' : seen === content ? 'same' : 'different';
    },
    takeTokens: async () => ({ allowed: true }),
  };
  return { spaces: { authenticated: false, ofApiKey: () => space }, checkRedis: async () => undefined };
}

const config = parseGatewayConfig(benchEnvironment());
const logger = createLogger('gateway-in-memory', config.LOG_LEVEL);
const server = await listen(gatewayAppOf(config, logger, memoryAdmission(config.CANONICAL_FORM)), config.PORT, config.HOST);
// Exit cleanly on SIGTERM, so that a --cpu-prof profile is written.
process.once('SIGTERM', () => server.close(() => process.exit(0)));
