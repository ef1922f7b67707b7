import { BATCH_PATH } from '../../lib/load/load.ts';

/**
 * Whether the gateway has the batch endpoint: an object (not an array) is posted, which the endpoint
 * refuses without storing anything; only a 404 means the route is missing.
 */
export async function batchEndpointStatus(baseUrl: string): Promise<number> {
  const response = await fetch(`${baseUrl}${BATCH_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  await response.arrayBuffer();
  return response.status;
}
