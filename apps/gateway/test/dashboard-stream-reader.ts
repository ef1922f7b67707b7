import type { DashboardMessage } from '../src/routes/dashboard/dashboard-message.ts';

/** Reads the `figures` messages of a `/dashboard/stream` response one at a time. */
export class DashboardStreamReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = '';
  /** Each raw message as sent (field lines), for checks on the SSE framing itself. */
  readonly raw: string[] = [];

  constructor(response: Response) {
    if (response.body === null) throw new Error('the stream answer has no body');
    this.#reader = response.body.getReader();
  }

  /** The next `figures` message; throws if the stream ends first. */
  async next(): Promise<DashboardMessage> {
    for (;;) {
      const end = this.#buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        this.raw.push(block);
        const lines = block.split('\n');
        if (!lines.includes('event: figures')) continue;
        const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice('data: '.length));
        return JSON.parse(data.join('\n')) as DashboardMessage;
      }
      const { done, value } = await this.#reader.read();
      if (done) throw new Error('the dashboard stream ended');
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
  }

  /** The first message that satisfies `check`, reading at most `limit` messages. */
  async until(check: (message: DashboardMessage) => boolean, limit = 20): Promise<DashboardMessage> {
    for (let n = 0; n < limit; n++) {
      const message = await this.next();
      if (check(message)) return message;
    }
    throw new Error(`no dashboard message matched within ${limit} messages`);
  }

  /** Hangs up, as a browser leaving the page does. */
  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => undefined);
  }
}
