// The baseline on Node, served by @hono/node-server as the gateway is.
import { serve } from '@hono/node-server';
import { createBaselineApp } from './baseline-app.ts';
import { baselineListen } from './baseline-env.ts';

const { port, hostname } = baselineListen();
serve({ fetch: createBaselineApp().fetch, port, hostname });
// Exit cleanly on SIGTERM, so that a --cpu-prof profile is written.
process.once('SIGTERM', () => process.exit(0));
