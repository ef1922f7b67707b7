import { createClient } from '@redis/client';

/** A plain client of the benchmark's own, for reading state; never on the gateway's connection. */
export interface RedisProbe {
  xlen(key: string): Promise<number>;
  info(section: string): Promise<string>;
  sendCommand<T = unknown>(args: readonly string[]): Promise<T>;
  close(): void;
}

export async function openProbe(url: string): Promise<RedisProbe> {
  const client = createClient({ url, RESP: 2 });
  client.on('error', () => undefined);
  await client.connect();
  return {
    xlen: (key) => client.xLen(key),
    info: async (section) => String(await client.info(section)),
    sendCommand: <T>(args: readonly string[]) => client.sendCommand<T>(args),
    close: () => client.destroy(),
  };
}
