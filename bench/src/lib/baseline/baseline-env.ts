/** Where the baseline server listens: PORT and HOST, as for the gateway. */
export interface BaselineListen {
  readonly port: number;
  readonly hostname: string;
}

export function baselineListen(env: Readonly<Record<string, string | undefined>> = process.env): BaselineListen {
  const port = Number(env.PORT ?? '8000');
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`PORT must be a port number (got "${env.PORT}")`);
  return { port, hostname: env.HOST?.trim() || '127.0.0.1' };
}
