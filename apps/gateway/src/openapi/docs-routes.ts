import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

/** Where the page's files are served; the OpenAPI document leaves them out (they are the page's, not the API's). */
export const DOCS_ASSETS_PATH = '/docs/assets';

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The files the page loads, by their name under DOCS_ASSETS_PATH: Swagger UI's from its package, and our initializer. */
const ASSETS: Readonly<Record<string, { readonly file: string; readonly contentType: string }>> = {
  'swagger-ui.css': { file: join(SWAGGER_UI_DIR, 'swagger-ui.css'), contentType: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: join(SWAGGER_UI_DIR, 'swagger-ui-bundle.js'), contentType: 'text/javascript; charset=utf-8' },
  'favicon-32x32.png': { file: join(SWAGGER_UI_DIR, 'favicon-32x32.png'), contentType: 'image/png' },
  'docs-initializer.js': { file: fileURLToPath(new URL('./docs-initializer.js', import.meta.url)), contentType: 'text/javascript; charset=utf-8' },
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>ddup API reference</title>
  <link rel="stylesheet" href="${DOCS_ASSETS_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${DOCS_ASSETS_PATH}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>
  <script src="${DOCS_ASSETS_PATH}/docs-initializer.js"></script>
</body>
</html>
`;

/** Only this origin, so the page cannot load anything from elsewhere (Swagger UI sets inline styles and shows data: images). */
const PAGE_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * `GET /docs` (mounted at `/docs`): the API reference, Swagger UI over `/openapi.json`, and the
 * files it loads, all served from node_modules and this folder, so the page works offline. A file
 * is read on its first request and kept (the bundle is about 1.5 MB).
 */
export function docsRoutes(): Hono {
  const loaded = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  const routes = new Hono().get('/', (c) => c.html(PAGE, 200, { 'content-security-policy': PAGE_POLICY }));
  for (const [name, asset] of Object.entries(ASSETS)) {
    routes.get(`/assets/${name}`, async (c) => {
      let bytes = loaded.get(name);
      if (bytes === undefined) {
        bytes = readFile(asset.file).then((buffer) => new Uint8Array(buffer));
        // A failed read is not kept: the next request tries again.
        bytes.catch(() => loaded.delete(name));
        loaded.set(name, bytes);
      }
      return c.body(await bytes, 200, { 'content-type': asset.contentType, 'cache-control': 'public, max-age=3600' });
    });
  }
  return routes;
}
