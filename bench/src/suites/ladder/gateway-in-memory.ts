// A bench-only server for `pnpm bench:ladder`: the gateway's own Hono app (validation, canonical
// JSON, SHA-256, the echoing answer, the error mapping), served as apps/gateway/src/main.ts serves
// it, with admission kept in this process's memory instead of Redis. It measures what the
// gateway's own work costs over the bare baseline, apart from Redis and the consumer. Not a
// product: it forgets everything when it stops.
import type { AdmitResult } from '@ddup/store';
import { type AdmissionPorts, type AdmitBatch, type AdmitEvent, admittedResultOf, gatewayAppOf, listen, parseGatewayConfig } from '@ddup/gateway';
import { createLogger } from '@ddup/runtime';
import { benchEnvironment } from '../../lib/env.ts';

function memoryAdmission(): AdmissionPorts {
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
  return { admitEvent, admitBatch, checkRedis: async () => undefined };
}

const config = parseGatewayConfig(benchEnvironment());
const logger = createLogger('gateway-in-memory', config.LOG_LEVEL);
const server = await listen(gatewayAppOf(config, logger, memoryAdmission()), config.PORT, config.HOST);
// Exit cleanly on SIGTERM, so that a --cpu-prof profile is written.
process.once('SIGTERM', () => server.close(() => process.exit(0)));
