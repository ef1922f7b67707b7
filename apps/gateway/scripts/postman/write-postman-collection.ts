/**
 * `pnpm postman`: writes postman/ddup.postman_collection.json from the OpenAPI document. A test
 * (apps/gateway/scripts/postman/postman-collection.test.ts) fails while the committed file differs from it.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { API_PREFIX } from '../../src/app.ts';
import { openApiDocument } from '../../src/openapi/openapi-document.ts';
import { postmanCollectionText } from './postman-collection.ts';

const COLLECTION_FILE = fileURLToPath(new URL('../../../../postman/ddup.postman_collection.json', import.meta.url));

writeFileSync(COLLECTION_FILE, postmanCollectionText(openApiDocument(API_PREFIX)));
process.stdout.write(`wrote ${COLLECTION_FILE}\n`);
