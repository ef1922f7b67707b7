import { type Logger as PinoLogger, pino } from 'pino';
import { build as prettyStream } from 'pino-pretty';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** LOG_FORMAT: `json` lines, `pretty` lines for a person, or `auto`: pretty on a terminal. */
export type LogFormat = 'auto' | 'json' | 'pretty';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /**
   * A logger whose every line also carries `fields` (pino's child logger), for a part of a process
   * that names itself on each line: `logger.child({ consumer: name })`. Make one per part, not per
   * request.
   */
  child(fields: Record<string, unknown>): Logger;
}

/** Whether `format` writes readable lines here: `pretty`, or `auto` with stderr on a terminal. */
export function writesPretty(format: LogFormat): boolean {
  return format === 'pretty' || (format === 'auto' && process.stderr.isTTY === true);
}

/**
 * pino, one JSON object per line on stderr (stdout stays free), in the shape ddup's tools read:
 * `{time, level, name, pid, message, ...fields}`, with the level as its name and the time in ISO
 * 8601. An `error` field that is an Error is written with its type, message and stack. Writes are
 * synchronous, so the line that explains an exit is never lost to it. With `format` pretty (or
 * auto, when stderr is a terminal) the same records are written as readable lines by pino-pretty
 * (`[12:00:00] INFO: gateway: gateway listening {"port":8000,…}`), synchronously too.
 */
export function createLogger(name: string, minimum: LogLevel = 'info', format: LogFormat = 'json'): Logger {
  const pretty = writesPretty(format);
  const log = pino(
    {
      name,
      level: minimum,
      messageKey: 'message',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { error: pino.stdSerializers.err },
    },
    pretty
      ? prettyStream({
          destination: 2,
          sync: true,
          messageKey: 'message',
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname,name',
          messageFormat: '{name}: {message}',
          singleLine: true,
          colorize: process.stderr.isTTY === true,
        })
      : pino.destination({ fd: 2, sync: true }),
  );
  return loggerOver(log);
}

function loggerOver(log: PinoLogger): Logger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
    child: (fields) => loggerOver(log.child(fields)),
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
 * Fields every line should carry come with the logger (`logger.child(...)`).
 */
export function rateLimitedWarning(logger: Logger, message: string, intervalMs = 5_000): (error: unknown) => void {
  let lastError = '';
  const log = rateLimited(intervalMs, (suppressed) => logger.warn(message, { error: lastError, suppressed }));
  return (error) => {
    lastError = errorText(error);
    log();
  };
}
