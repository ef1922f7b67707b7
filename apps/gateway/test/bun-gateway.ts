import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@ddup/redis-process';
import { eventually, findBunBinary } from '@ddup/test-utils';

const MAIN_BUN = fileURLToPath(new URL('../src/main-bun.ts', import.meta.url));

/** The gateway started under Bun, as `bun apps/gateway/src/main-bun.ts`. */
export interface BunGateway {
  readonly port: number;
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<number | null>;
}

const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

/** The Bun binary from npm, or an error saying how to install it. */
export function requireBunBinary(): string {
  const found = findBunBinary(import.meta.url);
  if (found === undefined) {
    throw new Error(
      'Bun was not found: it is a devDependency of @ddup/gateway (npm package "bun", binary in ' +
        '@oven/bun-<platform>); run `npx pnpm@10.34.9 install` at the repository root',
    );
  }
  return found;
}

/** Starts main-bun.ts on a free port with `env`; resolves once it listens and its Redis answers. */
export async function startBunGateway(bun: string, env: Record<string, string>): Promise<BunGateway> {
  const port = await freePort();
  const child = spawn(bun, [MAIN_BUN], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      done = true;
      started.delete(child);
      resolve(code);
    });
  });
  const gateway = { port, child, output: () => output, exited };
  try {
    await eventually('the "gateway listening" log line', () => {
      if (done) throw new Error(`bun exited before listening; output:\n${output}`);
      return output.includes('"message":"gateway listening"');
    });
    await eventually('GET /readyz → 200 (Redis connected)', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      await response.arrayBuffer();
      return response.status === 200;
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${String(error)}\noutput:\n${output}`);
  }
  return gateway;
}

/** Kills the gateway (by its pid) if it still runs, and waits for it to exit. */
export async function stopBunGateway(gateway: BunGateway | undefined): Promise<void> {
  if (gateway && started.has(gateway.child)) {
    gateway.child.kill('SIGKILL');
    await gateway.exited;
  }
}
