// A bench-only server for `pnpm bench:ladder`: the gateway's own Hono app (validation, canonical
// JSON, SHA-256, the echoing answer, the error mapping), served as main.ts serves it, with
// admission kept in this process's memory instead of Redis. It measures what the gateway's own
// work costs over the bare baseline, apart from Redis and the consumer. Not a product: it forgets
// everything when it stops.
import { type AdmissionPorts, type AdmitBatch, type AdmitEvent, type AdmittedResult, admissionOf, gatewayAppOf, listen, parseGatewayConfig } from '@ddup/gateway';
import { createLogger } from '@ddup/runtime';
import { benchEnvironment } from './env.ts';

function memoryAdmission(): AdmissionPorts {
  const states = new Map<string, string>();
  let sequence = 0;
  const admitOne = (hash: string): AdmittedResult => {
    const state = states.get(hash);
    if (state !== undefined) return { status: 'duplicate', hash, state };
    states.set(hash, 'pending');
    return { status: 'accepted', id: `${Date.now()}-${sequence++}`, hash };
  };
  const admitEvent: AdmitEvent = async (hash) => admissionOf(admitOne(hash));
  const admitBatch: AdmitBatch = async (events) => events.map((event) => admitOne(event.hash));
  return { admitEvent, admitBatch, checkRedis: async () => undefined };
}

const config = parseGatewayConfig(benchEnvironment());
const logger = createLogger('gateway-in-memory', config.LOG_LEVEL);
const server = await listen(gatewayAppOf(config, logger, memoryAdmission()), config.PORT, config.HOST);
// Exit cleanly on SIGTERM, so that a --cpu-prof profile is written.
process.once('SIGTERM', () => server.close(() => process.exit(0)));
