/**
 * What went wrong, as a machine-readable family. Doors map these to their own answers
 * (an MCP `isError` result, a friendly bot reply, a CLI exit code).
 */
export type ErrorCode =
  | `not_found:${string}`
  | `ambiguous:${string}`
  | `invalid:${string}`
  | `conflict:${string}`
  | `forbidden:${string}`
  | `unavailable:${string}`
  | `llm:${string}`
  | `limit:${string}`;

/**
 * The one error type the core throws on purpose. The message is written for the person or
 * assistant who made the request: what was wrong and what would work.
 *
 * @example throw new LarderError('not_found:list', 'There is no list called "costco". Lists: Shopping, Aldi.')
 */
export class LarderError extends Error {
  override readonly name: string = 'LarderError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The broad family of the code: `not_found`, `invalid`, … */
  get family(): string {
    return this.code.split(':')[0] ?? this.code;
  }
}

/** True when `error` is a LarderError, optionally of one family (`invalid`) or exact code (`invalid:quantity`). */
export function isLarderError(error: unknown, code?: string): error is LarderError {
  if (!(error instanceof LarderError)) return false;
  if (code === undefined) return true;
  return code.includes(':') ? error.code === code : error.family === code;
}
