import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const wholeNumber = (fallback: number, min: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number of ${min} or more, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });
const positiveInt = (fallback: number) => wholeNumber(fallback, 1);

const url = (protocols: string[]) =>
  optionalText.refine(
    (value) => {
      if (value === undefined) return true;
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.join(' or ')}//` },
  );

/** The environment Larder reads, validated once at start (DESIGN §6). */
export const configSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  LARDER_DATA_DIR: optionalText.default('./data'),
  // 0 picks a free port (useful for tests).
  PORT: wholeNumber(3000, 0).refine((port) => port <= 65535, 'must be a port number up to 65535'),
  LARDER_HOST: optionalText.default('127.0.0.1'),
  TELEGRAM_BOT_TOKEN: optionalText.refine((value) => value === undefined || /^\d+:[A-Za-z0-9_-]{20,}$/.test(value), {
    message: 'does not look like a bot token from @BotFather (digits, a colon, then letters)',
  }),
  TELEGRAM_API_ROOT: url(['http:', 'https:']),
  TELEGRAM_WEBHOOK_URL: url(['https:', 'http:']),
  TELEGRAM_WEBHOOK_SECRET: optionalText.refine((value) => value === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(value), {
    message: 'may only contain letters, digits, "_" and "-" (1 to 256 characters)',
  }),
  OPENAI_BASE_URL: url(['http:', 'https:']),
  OPENAI_API_KEY: optionalText,
  LARDER_MODEL: optionalText,
  LARDER_VISION_MODEL: optionalText,
  LARDER_TRANSCRIBE_MODEL: optionalText,
  LARDER_LLM_CONCURRENCY: positiveInt(4),
  LARDER_LLM_RPM: positiveInt(60),
  LARDER_LLM_DAILY_TOKENS: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return undefined;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < 1) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number of 1 or more, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    }),
  LARDER_HOUSEHOLD: optionalText.default('default'),
  // Per token, over HTTP: an assistant in a loop must not monopolize the server or the household's LLM budget.
  LARDER_MCP_RPM: positiveInt(120),
  // How often the scheduler looks for due reminders and digests; every instance ticks, one wins each tick.
  LARDER_SCHEDULER_INTERVAL_MS: wholeNumber(30_000, 10),
  LARDER_ALLOWED_ORIGINS: optionalText.transform((value) =>
    value === undefined ? [] : value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''),
  ),
  LARDER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().default('info'),
});

export type Config = z.output<typeof configSchema>;

/** A configuration value that stops the start: the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
}
