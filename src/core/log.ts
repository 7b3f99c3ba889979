import { pino } from 'pino';

/** The logging surface services use; pino's logger satisfies it. */
export type Logger = Pick<pino.Logger, 'debug' | 'info' | 'warn' | 'error' | 'child'>;

/** Paths pino blanks out wherever they appear, so secrets and message text never reach a log file. */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'apiKey',
  '*.apiKey',
  'text',
  '*.text',
  // Telegram API errors carry the message they failed to send.
  'err.payload.text',
  'err.payload.caption',
  '*.payload.text',
  '*.payload.caption',
];

/**
 * Creates the process logger: JSON lines on stderr (stdout carries command results), with
 * tokens and message text redacted.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { app: 'larder' },
    },
    options.destination ?? pino.destination(2),
  );
}

/** A logger that drops everything; for tests and one-shot CLI commands. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
