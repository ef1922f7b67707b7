export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON object per line on stderr, so logs stay machine-readable and stdout stays free. */
export function createLogger(name: string, minimum: LogLevel = 'info'): Logger {
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < LEVELS[minimum]) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, name, pid: process.pid, message, ...fields });
    process.stderr.write(`${line}\n`);
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

/**
 * Lets one message through per `intervalMs` and counts what it held back, so a Redis outage
 * logs a line a few seconds rather than one per reconnect attempt or request.
 */
export function rateLimited(intervalMs: number, emit: (suppressed: number) => void): () => void {
  let last = 0;
  let suppressed = 0;
  return () => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed++;
      return;
    }
    last = now;
    emit(suppressed);
    suppressed = 0;
  };
}

/** What an error says: its message (its name when the message is empty), or its text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/**
 * A warning about recurring errors, logged at most once per `intervalMs` with the latest error
 * and how many went unlogged since (`rateLimited`, for the common case of an error to report).
 */
export function rateLimitedWarning(logger: Logger, message: string, fields: Record<string, unknown> = {}, intervalMs = 5_000): (error: unknown) => void {
  let lastError = '';
  const log = rateLimited(intervalMs, (suppressed) => logger.warn(message, { ...fields, error: lastError, suppressed }));
  return (error) => {
    lastError = errorText(error);
    log();
  };
}
