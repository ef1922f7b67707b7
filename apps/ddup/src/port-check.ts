import { createServer } from 'node:net';
import { isAddressInUse } from '@ddup/gateway';

/**
 * Whether another process listens on `host`:`port` now (found by binding it and letting go at
 * once): the launcher refuses a taken PORT before it starts anything, rather than restart a
 * gateway that cannot listen, and hear the other process answer its readiness check meanwhile.
 * Any other failure to bind is left to the gateway to report.
 */
export function portIsTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error) => resolve(isAddressInUse(error)));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}
