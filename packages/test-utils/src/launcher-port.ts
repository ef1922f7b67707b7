import { createServer } from 'node:net';
import { freePort } from '@ddup/redis-process';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free PORT for a whole launcher (`pnpm start`): the launcher serves the consumer's metrics on
 * PORT + 1 by default, and a port the kernel handed out is no promise for its neighbour (CI saw
 * the consumer's metrics fail with EADDRINUSE on it), so both are checked.
 */
export async function freeLauncherPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port < 65_535 && (await isFree(port + 1))) return port;
  }
  throw new Error('no free port with a free neighbour in 50 attempts');
}
