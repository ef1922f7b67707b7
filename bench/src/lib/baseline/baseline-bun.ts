// The baseline on Bun, served by Bun.serve as the gateway's Bun entry point is. Run with `bun`.
import { createBaselineApp } from './baseline-app.ts';
import { baselineListen } from './baseline-env.ts';

/** The part of Bun's global this entry uses (the project does not type-check against bun-types). */
interface BunGlobal {
  serve(options: { fetch: (request: Request) => Response | Promise<Response>; port: number; hostname: string }): unknown;
}

const bun = (globalThis as { Bun?: BunGlobal }).Bun;
if (!bun) throw new Error('baseline-bun.ts runs under Bun: bun bench/src/lib/baseline/baseline-bun.ts');
const app = createBaselineApp();
const { port, hostname } = baselineListen();
bun.serve({ fetch: (request) => app.fetch(request), port, hostname });
