import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A file the dashboard page loads, held in memory. */
export interface DashboardAsset {
  readonly body: string;
  readonly contentType: string;
  readonly etag: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const SVG = 'image/svg+xml';

const resolve = createRequire(import.meta.url).resolve;
const own = (name: string) => fileURLToPath(new URL(`./assets/${name}`, import.meta.url));

/** Served name → file and type: the page's own script, style and icon, and uPlot from node_modules. */
const ASSET_FILES: Readonly<Record<string, readonly [path: () => string, contentType: string]>> = {
  'dashboard.js': [() => own('dashboard.js'), JS],
  'dashboard.css': [() => own('dashboard.css'), CSS],
  'favicon.svg': [() => own('favicon.svg'), SVG],
  'uPlot.iife.min.js': [() => resolve('uplot/dist/uPlot.iife.min.js'), JS],
  'uPlot.min.css': [() => resolve('uplot/dist/uPlot.min.css'), CSS],
};

let loaded: ReadonlyMap<string, DashboardAsset> | undefined;

/** Every asset, read from disk once per process (the first time a dashboard is built). */
export function dashboardAssets(): ReadonlyMap<string, DashboardAsset> {
  loaded ??= new Map(
    Object.entries(ASSET_FILES).map(([name, [path, contentType]]) => {
      const body = readFileSync(path(), 'utf8');
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      return [name, { body, contentType, etag }];
    }),
  );
  return loaded;
}
