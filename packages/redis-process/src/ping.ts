import { sendAuthenticated } from './resp.ts';

/**
 * Sends one PING (after AUTH when a password is given) and resolves true on PONG. False on
 * refusal, NOAUTH, LOADING (AOF still being replayed) or any other answer.
 */
export async function ping(port: number, host = '127.0.0.1', timeoutMs = 1000, password?: string): Promise<boolean> {
  try {
    const [reply] = await sendAuthenticated(port, password, [['PING']], { host, timeoutMs });
    return reply === 'PONG';
  } catch {
    return false;
  }
}
