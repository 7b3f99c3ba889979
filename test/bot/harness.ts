import { createLogger, silentLogger, type Logger } from '../../src/core/log.ts';
import type { Llm } from '../../src/core/llm/llm.ts';
import { scaleLimits, TELEGRAM_LIMITS, type RateLimits } from '../../src/bot/limits.ts';
import { createScheduler, type Scheduler } from '../../src/bot/scheduler.ts';
import { createBotService, type BotService, type HttpRoute } from '../../src/bot/service.ts';
import { startHttpServer, type RunningHttpServer } from '../../src/mcp/http.ts';
import { createTelegramStore } from '../../src/bot/store.ts';
import { startFakeTelegram, type ApiCall, type FakeChat, type FakeTelegram, type SentMessage } from '../support/fake-telegram.ts';
import { testCore, type TestCore } from '../support/core.ts';

/** Telegram's limits with every window a hundred times shorter: the shape is kept, the test does not wait seconds. */
export const FAST_LIMITS = scaleLimits(TELEGRAM_LIMITS, 0.01);

/** LARDER_TEST_LOG=debug shows the bot's log while a test runs. */
export function testLog(): Logger {
  const level = process.env.LARDER_TEST_LOG;
  return level ? createLogger({ level }) : silentLogger();
}

export interface BotHarness {
  fake: FakeTelegram;
  t: TestCore;
  service: BotService;
  /** A scheduler on the test's manual clock; nothing ticks unless the test calls `tick()`. */
  scheduler: Scheduler;
  /** With `webhook`: the HTTP server `larder serve` runs, the webhook as its extra route. */
  server: RunningHttpServer | null;
  close(): Promise<void>;
}

/**
 * The real bot (grammY, runner, transformers) on a fresh core, talking HTTP to the fake Bot API.
 * Long polling, or with `webhook` a webhook at /telegram/webhook on the same HTTP server as
 * `larder serve` (MCP's), with the given secret.
 */
export async function startBotHarness(
  options: { llm?: Llm | null; limits?: RateLimits; webhook?: { secret?: string }; start?: boolean; userPerMinute?: number } = {},
): Promise<BotHarness> {
  const fake = await startFakeTelegram();
  const t = await testCore(options.llm ? { llm: options.llm } : {});
  const log = testLog();
  // The route exists once the service does, and the service needs the server's URL first.
  const webhook: { route?: HttpRoute } = {};
  const server = options.webhook
    ? await startHttpServer({ core: t.core, log, port: 0, host: '127.0.0.1', extraRoutes: (req, res) => (webhook.route ? webhook.route(req, res) : Promise.resolve(false)) })
    : null;
  const service = createBotService({
    core: t.core,
    log,
    token: fake.token,
    apiRoot: fake.apiRoot,
    limits: options.limits ?? FAST_LIMITS,
    ...(options.userPerMinute ? { userPerMinute: options.userPerMinute } : {}),
    scheduler: false,
    pollTimeoutSeconds: 2,
    // On PostgreSQL every bot test runs with the per-chat lock, as `larder serve` does.
    advisoryLock: t.database.advisoryLock,
    ...(server ? { webhook: { url: `${server.url}/telegram/webhook`, ...(options.webhook?.secret ? { secret: options.webhook.secret } : {}) } } : {}),
  });
  webhook.route = service.route;
  const scheduler = createScheduler({ core: t.core, api: service.bot.api, store: createTelegramStore({ db: t.core.db, clock: t.clock }), log, clock: t.clock });
  if (options.start ?? true) await service.start();
  return {
    fake,
    t,
    service,
    scheduler,
    server,
    close: async () => {
      await service.stop();
      await server?.close();
      await fake.close();
      await t.close();
    },
  };
}

/**
 * The reply to what the user just did in `chat`: the next sendMessage there (or the next one from
 * call index `since`, for what the bot sends unprompted).
 */
export async function nextMessage(fake: FakeTelegram, chat: FakeChat, timeoutMs = 10_000, since?: number): Promise<SentMessage> {
  const call = await fake.waitFor((c) => c.method === 'sendMessage' && c.params.chat_id === chat.id && c.response?.ok === true, timeoutMs, since);
  return sentFor(fake, call);
}

/** The next successful edit in `chat`. */
export async function nextEdit(fake: FakeTelegram, chat: FakeChat, timeoutMs = 10_000): Promise<ApiCall> {
  return fake.waitFor((c) => c.method.startsWith('editMessage') && c.params.chat_id === chat.id && c.response?.ok === true, timeoutMs);
}

/** The SentMessage a sendMessage call produced. */
export function sentFor(fake: FakeTelegram, call: ApiCall): SentMessage {
  const result = call.response?.ok ? (call.response.result as { message_id: number; chat: { id: number } }) : undefined;
  const sent = fake.sent.find((message) => message.message_id === result?.message_id && message.chat_id === result.chat.id);
  if (!sent) throw new Error(`no sent message for call #${call.index}`);
  return sent;
}

/** The inline buttons of a message as [text, callback_data] pairs. */
export function buttonsOf(message: SentMessage): Array<[string, string]> {
  const markup = message.message.reply_markup;
  return (markup?.inline_keyboard ?? []).flat().map((button) => [button.text, 'callback_data' in button ? (button.callback_data ?? '') : '']);
}

/** The callback data of the button whose text contains `label`. */
export function buttonData(message: SentMessage, label: string): string {
  const found = buttonsOf(message).find(([text]) => text.includes(label));
  if (!found) throw new Error(`no button "${label}" on message ${message.message_id}: ${JSON.stringify(buttonsOf(message))}`);
  return found[1];
}

/** Calls other than polling made since `index`. */
export function callsSince(fake: FakeTelegram, index: number): ApiCall[] {
  return fake.calls.slice(index).filter((call) => call.method !== 'getUpdates');
}
