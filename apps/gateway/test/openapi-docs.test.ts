import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestRedis } from '@ddup/test-utils';
import type { Gateway } from '../src/gateway.ts';
import { startTestGateway, stopTestGateway } from './test-gateway.ts';

// GET /docs: an HTML page whose every script, stylesheet and icon is served by the gateway itself
// (Swagger UI's files from node_modules), so it works with no network.

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const CONTENT_TYPES: Record<string, RegExp> = { css: /^text\/css\b/, js: /^text\/javascript\b/, png: /^image\/png$/ };

const test = useTestRedis();
let gateway: Gateway;

beforeAll(async () => {
  gateway = await startTestGateway({ REDIS_URL: test.redis.url });
});

afterAll(async () => {
  await stopTestGateway(gateway);
});

const get = (path: string) => gateway.app.request(`http://localhost${path}`);

/** Every URL the page loads: `src` and `href` attributes. */
function urlsOf(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1] ?? '');
}

describe('GET /docs', () => {
  it('is an HTML page that loads only URLs of this gateway, with a policy that forbids any other origin', async () => {
    const response = await get('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html\b/);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const urls = urlsOf(await response.text());
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const url of urls) expect(url, 'a path on this origin').toMatch(/^\/(?!\/)/);
  });

  it('serves each of those URLs with 200 and the content type of its kind', async () => {
    const urls = urlsOf(await (await get('/docs')).text());
    for (const url of urls) {
      const response = await get(url);
      expect(response.status, url).toBe(200);
      const extension = url.slice(url.lastIndexOf('.') + 1);
      expect(response.headers.get('content-type'), url).toMatch(CONTENT_TYPES[extension] ?? /^$/);
      expect((await response.arrayBuffer()).byteLength, url).toBeGreaterThan(0);
    }
  });

  it("serves Swagger UI's bundle byte for byte from the swagger-ui-dist package", async () => {
    const response = await get('/docs/assets/swagger-ui-bundle.js');
    const served = Buffer.from(await response.arrayBuffer());
    expect(served.equals(readFileSync(join(SWAGGER_UI_DIR, 'swagger-ui-bundle.js')))).toBe(true);
  });

  it("starts Swagger UI with this gateway's /openapi.json, not the package's petstore initializer", async () => {
    const urls = urlsOf(await (await get('/docs')).text());
    expect(urls).not.toContain('/docs/assets/swagger-initializer.js');
    const initializer = await (await get('/docs/assets/docs-initializer.js')).text();
    expect(initializer).toContain("url: '/openapi.json'");
    expect(initializer).not.toMatch(/petstore|https?:\/\//);
    const document = await get('/openapi.json');
    expect(document.status).toBe(200);
    expect(document.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(((await document.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('answers 404 JSON for a file of the package the page does not use', async () => {
    const response = await get('/docs/assets/index.html');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'not_found' });
  });
});
