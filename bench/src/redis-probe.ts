import { createClient } from '@redis/client';

/** A plain client of the benchmark's own, for reading state; never on the gateway's connection. */
export interface RedisProbe {
  xlen(key: string): Promise<number>;
  info(section: string): Promise<string>;
  close(): void;
}

export async function openProbe(url: string): Promise<RedisProbe> {
  const client = createClient({ url, RESP: 2 });
  client.on('error', () => undefined);
  await client.connect();
  return {
    xlen: (key) => client.xLen(key),
    info: async (section) => String(await client.info(section)),
    close: () => client.destroy(),
  };
}
