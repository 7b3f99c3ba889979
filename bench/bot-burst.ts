/**
 * The bot under a burst, with the fake LLM: total time ÷ the concurrency bound, the most LLM
 * requests in flight, and the order of the replies in every chat.
 *
 * The real bot as `larder serve` runs it (`createBotService`: grammY, the runner's long polling,
 * the outgoing rate limiter, per-chat order; LLM usage recorded in the database) on a core on
 * in-memory PGlite, the LLM client pointed at the fake OpenAI server (a fixed latency per call,
 * concurrency C, the per-minute cap out of the way) and the Bot API at the fake Telegram.
 * Every chat (half groups, where the message mentions the bot; half private chats) sends all its
 * messages at once. None is one the fast-path parser takes, so each goes to the agent, and the
 * fake LLM answers each with a tool call (get_list or add_items, alternately) and then a final
 * text naming the message: two LLM calls a message, and every reply says what it answers.
 * Households exist before the burst (each chat sent one fast-path message first).
 *
 * The bound is the least time any correct system could take with these limits:
 *   max( ceil(LLM calls ÷ C) × latency,                          the LLM concurrency
 *        max over chats of the chat's LLM calls × latency,         a chat's messages in order
 *        first message's calls × latency + window(replies, chat),  Telegram, per chat and per group
 *        first message's calls × latency + window(all replies),    Telegram, over all chats
 *        ceil(all first messages' calls ÷ C) × latency + window(replies, chat) )
 *                                            the chat whose first message is answered last
 * where window(n, count per ms) = floor((n − 1) ÷ count) × ms: n sends under a sliding window go
 * no faster than that after the first (src/bot/limits.ts applies Telegram's windows as they are).
 * Database and HTTP time are not in the bound: they are what the ratio measures, with queueing.
 *
 * The baseline, in the same run: the same chains of calls (same tools offered, each chat's calls
 * one after another, all chats at once) straight at a fresh LLM client: no bot, database or
 * Telegram. It separates the LLM client's own overhead (HTTP, JSON, the queue) from the bot's.
 *
 * Run: npx tsx bench/bot-burst.ts [--chats 30] [--messages 3] [--latency 150] [--concurrency 4] [--limits telegram|fast] [--postgres URL]
 * `--limits fast` divides Telegram's windows by 100, as the bot tests do (FAST_LIMITS).
 * `--postgres URL` runs the core on a new database there instead (dropped afterwards), with the
 * per-chat advisory lock `larder serve` takes on PostgreSQL.
 * Target: total ≤ 1.15 × the bound. Exits 1 when more than C requests were ever in flight or a
 * reply is missing or out of order; the ratio itself is only printed.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { scaleLimits, TELEGRAM_LIMITS, type RateLimits, type RateWindow } from '../src/bot/limits.ts';
import { createBotService, type BotService } from '../src/bot/service.ts';
import { assistantFor } from '../src/core/assistant/assistant.ts';
import { systemClock } from '../src/core/clock.ts';
import { createCore } from '../src/core/core.ts';
import { openDatabase, type Database } from '../src/core/db/client.ts';
import { toFunctionTools } from '../src/core/llm/agent.ts';
import { createLlm, type ChatMessage, type Llm, type LlmConfig } from '../src/core/llm/llm.ts';
import { createDbUsageStore } from '../src/core/llm/usage.ts';
import { silentLogger } from '../src/core/log.ts';
import { parseMessage } from '../src/core/nlp/parser.ts';
import { TOOLS } from '../src/core/tools/index.ts';
import { lastUserText, startFakeOpenAi, type FakeResponder, type FakeStep, type RecordedCall } from '../test/support/fake-openai.ts';
import { startFakeTelegram, type ApiCall, type FakeChat, type FakeUser } from '../test/support/fake-telegram.ts';
import { newBenchPostgres } from './support/postgres.ts';
import { quantile } from './support/stats.ts';
import { watchPg, watchPglite } from './support/statements.ts';

const { values } = parseArgs({
  options: {
    chats: { type: 'string', default: '30' },
    messages: { type: 'string', default: '3' },
    latency: { type: 'string', default: '150' },
    concurrency: { type: 'string', default: '4' },
    limits: { type: 'string', default: 'telegram' },
    postgres: { type: 'string' },
  },
});
const chatCount = Number(values.chats);
const perChat = Number(values.messages);
const latencyMs = Number(values.latency);
const concurrency = Number(values.concurrency);
const fast = values.limits === 'fast';
const limits: RateLimits = fast ? scaleLimits(TELEGRAM_LIMITS, 0.01) : TELEGRAM_LIMITS;
// The bot lets one person send 30 messages a minute in a chat; the warm-up sends two.
if (!(chatCount >= 1 && perChat >= 1 && perChat <= 28)) throw new Error('--chats must be at least 1, --messages from 1 to 28');

/** Every burst message carries "ref c<chat>-<n>"; the fake LLM's final answer repeats it. */
const REF = /ref c(\d+)-(\d+)/;
const TEMPLATES = [
  'could you plan dinners for the week around what is left, ref c{c}-{n}',
  'my sister is vegan and visits on Sunday, sort something out (ref c{c}-{n})',
  'how long does cooked rice keep in the fridge? ref c{c}-{n}',
  'what goes well with roast chicken, ref c{c}-{n}',
  'thanks, that was helpful; ref c{c}-{n}',
];
const messageText = (chat: number, n: number): string =>
  (TEMPLATES[(chat + n) % TEMPLATES.length] ?? '').replace('{c}', String(chat)).replace('{n}', String(n));

function refOf(text: string): { chat: number; n: number } | null {
  const match = REF.exec(text);
  return match ? { chat: Number(match[1]), n: Number(match[2]) } : null;
}

function lastRole(call: RecordedCall): string | undefined {
  const body = call.body;
  if (typeof body !== 'object' || body === null || !('messages' in body) || !Array.isArray(body.messages)) return undefined;
  const last: unknown = body.messages.at(-1);
  return typeof last === 'object' && last !== null && 'role' in last && typeof last.role === 'string' ? last.role : undefined;
}

const offersTools = (call: RecordedCall): boolean =>
  typeof call.body === 'object' && call.body !== null && 'tools' in call.body && Array.isArray(call.body.tools);

/** Database statements sent so far (counted at the driver). */
let statements = 0;
/** The client whose queue the fake looks at when a request arrives (the bot's, then the baseline's). */
let watched: Llm | null = null;
/** As each request arrived: how many were still waiting in the client's queue, and statements run so far. */
const arrivals: Array<{ queued: number; statements: number }> = [];

/** A tool call first (a read or a write, by message), then the final text naming the message. */
const responder: FakeResponder = (call): FakeStep => {
  if (watched) arrivals.push({ queued: watched.stats().queued, statements });
  if (!offersTools(call)) return { kind: 'text', content: 'ok' };
  const ref = refOf(lastUserText(call));
  if (lastRole(call) === 'user') {
    return (ref?.n ?? 0) % 2 === 1
      ? { kind: 'tool_calls', calls: [{ name: 'get_list', arguments: {} }] }
      : { kind: 'tool_calls', calls: [{ name: 'add_items', arguments: { items: [{ name: 'milk' }] } }] };
  }
  return { kind: 'text', content: ref ? `Done (ref c${ref.chat}-${ref.n}).` : 'Done.' };
};

/** Least time for `sends` sends under `window`, from the first one. */
const windowSpan = (sends: number, window: RateWindow): number => Math.floor(Math.max(0, sends - 1) / window.count) * window.ms;
const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;
const realNow = (): number => performance.timeOrigin + performance.now();
const cpuMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000;

/** In-memory PGlite, or with --postgres a new database of this run's own there (dropped afterwards). */
async function benchDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  const url = values.postgres;
  if (url === undefined) {
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    watchPglite(database, () => statements++);
    return { database, drop: async () => undefined };
  }
  const postgres = await newBenchPostgres(url);
  if (postgres === null) throw new Error(`--postgres ${url} does not answer`);
  watchPg(() => statements++);
  return { database: await openDatabase({ kind: 'postgres', url: postgres.url }), drop: () => postgres.drop() };
}

const fakeLlm = await startFakeOpenAi({ latencyMs });
const telegram = await startFakeTelegram();
const log = silentLogger();
// A per-minute cap far above the burst (the default is 60): the concurrency is what is measured.
const llmConfig: LlmConfig = { baseURL: fakeLlm.url, apiKey: 'bench', model: 'fake-chat', concurrency, rpm: 1_000_000 };
let failed = false;
let bench: Awaited<ReturnType<typeof benchDatabase>> | undefined;
let service: BotService | undefined;
try {
  bench = await benchDatabase();
  const { database } = bench;
  await database.migrate();
  // As src/runtime.ts builds it: usage recorded in the database, one assistant given to the bot.
  // The scheduler is off (it ticks every 30 s).
  const llm = createLlm(llmConfig, { log, usage: createDbUsageStore({ db: database.db, clock: systemClock }) });
  if (!llm) throw new Error('the LLM client was not created');
  const core = createCore({ db: database.db, changes: database.changes, llm, log });
  // On PostgreSQL each update holds its chat's advisory lock, as with several instances.
  service = createBotService({
    core,
    assistant: assistantFor(core),
    log,
    token: telegram.token,
    apiRoot: telegram.apiRoot,
    limits,
    scheduler: false,
    advisoryLock: database.advisoryLock,
  });
  fakeLlm.setDefault(responder);

  const chats: Array<{ index: number; chat: FakeChat; user: FakeUser; prefix: string }> = [];
  for (let index = 0; index < chatCount; index++) {
    const user = telegram.user(`Member ${index}`);
    const chat = index % 2 === 0 ? telegram.group(`Flat ${index}`) : telegram.privateChat(user);
    chats.push({ index, chat, user, prefix: index % 2 === 0 ? `@${telegram.bot.username} ` : '' });
  }
  const chatOf = new Map(chats.map((entry) => [entry.chat.id, entry]));
  const groups = chats.filter(({ chat }) => chat.type !== 'private').length;

  // Every burst message must miss the fast path, or it would cost no LLM call.
  for (const { index } of chats) {
    for (let n = 0; n <= perChat; n++) {
      const text = messageText(index, n);
      const parsed = parseMessage(text, { now: new Date(), timeZone: 'UTC', isKnownItem: (phrase) => core.catalog.isItem(phrase) });
      if (parsed.intent !== 'unknown') throw new Error(`"${text}" takes the fast path (${parsed.intent})`);
    }
  }

  /** The `count`-th successful sendMessage to the bench's chats from call `since` on. */
  const replies = (count: number, since: number, timeoutMs: number): Promise<ApiCall> => {
    let seen = 0;
    return telegram.waitFor(
      (call) => {
        if (call.method !== 'sendMessage' || call.response?.ok !== true || !chatOf.has(Number(call.params.chat_id))) return false;
        seen++;
        return seen >= count;
      },
      timeoutMs,
      since,
    );
  };

  await service.start();

  // Not timed: every chat gets its household (a fast-path message), one agent message warms the
  // agent's code and connection; then Telegram's per-chat and global windows are let to empty.
  let mark = telegram.calls.length;
  for (const { chat, user, prefix } of chats) telegram.sendText(chat, user, `${prefix}show the list`);
  await replies(chats.length, mark, 30_000);
  const first = chats[0];
  if (!first) throw new Error('no chats');
  mark = telegram.calls.length;
  telegram.sendText(first.chat, first.user, `${first.prefix}${messageText(0, 0)}`);
  await replies(1, mark, 10_000);
  await new Promise((resolve) => setTimeout(resolve, Math.max(limits.perChat.ms, limits.global.ms) + 100));

  // The burst: message 1 of every chat, then message 2 of every chat…, all in one tick.
  fakeLlm.reset();
  fakeLlm.setDefault(responder);
  watched = llm;
  arrivals.length = 0;
  mark = telegram.calls.length;
  const total = chatCount * perChat;
  const statementsBefore = statements;
  const loopBefore = performance.eventLoopUtilization();
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const cpuBefore = process.cpuUsage();
  const startedAt = realNow();
  for (let n = 1; n <= perChat; n++) {
    for (const { index, chat, user, prefix } of chats) telegram.sendText(chat, user, `${prefix}${messageText(index, n)}`);
  }
  const last = await replies(total, mark, 120_000);
  const totalMs = last.time - startedAt;
  const loop = performance.eventLoopUtilization(loopBefore);
  lag.disable();
  const cpu = process.cpuUsage(cpuBefore);
  const burstStatements = statements - statementsBefore;
  const botQueued = arrivals.map((arrival) => arrival.queued);
  const statementsBeforeFirstCall = (arrivals[0]?.statements ?? statements) - statementsBefore;
  watched = null;
  const botFakeMax = fakeLlm.maxInFlight;
  const botClientMax = llm.stats().maxInFlight;

  // The replies, chat by chat, in the order they reached Telegram.
  const got = new Map<number, number[]>();
  const sentAt = new Map<string, number>();
  let unexpected = 0;
  for (const call of telegram.calls.slice(mark)) {
    if (call.method !== 'sendMessage' || call.response?.ok !== true) continue;
    const entry = chatOf.get(Number(call.params.chat_id));
    if (!entry) continue;
    const ref = refOf(String(call.params.text));
    if (!ref || ref.chat !== entry.index) {
      unexpected++;
      continue;
    }
    got.set(entry.index, [...(got.get(entry.index) ?? []), ref.n]);
    sentAt.set(`${ref.chat}-${ref.n}`, call.time);
  }
  let violations = 0;
  let missing = 0;
  let chatsInOrder = 0;
  for (const { index } of chats) {
    const sequence = got.get(index) ?? [];
    missing += Math.max(0, perChat - sequence.length);
    const outOfPlace = sequence.filter((n, position) => n !== position + 1).length;
    violations += outOfPlace;
    if (outOfPlace === 0 && sequence.length === perChat) chatsInOrder++;
  }

  // The burst's LLM calls, by chat and by message.
  const burstCalls = fakeLlm.calls.filter((call) => call.path === '/v1/chat/completions');
  const callsByChat = new Map<number, number>();
  const callsByMessage = new Map<string, number>();
  const answeredAt = new Map<string, number>();
  for (const call of burstCalls) {
    const ref = refOf(lastUserText(call));
    if (!ref) continue;
    const key = `${ref.chat}-${ref.n}`;
    callsByChat.set(ref.chat, (callsByChat.get(ref.chat) ?? 0) + 1);
    callsByMessage.set(key, (callsByMessage.get(key) ?? 0) + 1);
    answeredAt.set(key, Math.max(answeredAt.get(key) ?? 0, call.answeredAt ?? 0));
  }
  const llmCalls = burstCalls.length;
  const firstCallAt = Math.min(...burstCalls.map((call) => call.receivedAt)) - startedAt;
  const lastAnswerAt = Math.max(...burstCalls.map((call) => call.answeredAt ?? 0)) - startedAt;
  // Slot time not spent inside the fake (its latency and parsing), after the first call arrived.
  const heldMs = burstCalls.reduce((sum, call) => sum + ((call.answeredAt ?? call.receivedAt) - call.receivedAt), 0);
  const gapPerCall = (concurrency * (lastAnswerAt - firstCallAt) - heldMs) / llmCalls;
  // From a message's last LLM answer to its reply reaching Telegram: usage, rendering, the limiter, HTTP.
  const replyDelays = [...answeredAt].flatMap(([key, at]) => {
    const sent = sentAt.get(key);
    return sent === undefined ? [] : [sent - at];
  });
  // Calls that found nothing queued behind them, before the last C×2 calls (the tail drains by nature).
  const starved = botQueued.slice(0, Math.max(0, botQueued.length - 2 * concurrency)).filter((queued) => queued === 0).length;

  // The bound.
  const llmBound = Math.ceil(llmCalls / concurrency) * latencyMs;
  const chainBound = Math.max(...chats.map(({ index }) => (callsByChat.get(index) ?? 0) * latencyMs));
  const firstReply = (index: number): number => (callsByMessage.get(`${index}-1`) ?? 0) * latencyMs;
  const chatWindowBound = Math.max(
    ...chats.map(({ index, chat }) => firstReply(index) + Math.max(windowSpan(perChat, limits.perChat), chat.type === 'private' ? 0 : windowSpan(perChat, limits.perGroup))),
  );
  const globalWindowBound = Math.min(...chats.map(({ index }) => firstReply(index))) + windowSpan(total, limits.global);
  // Some chat gets its first reply only once the first messages of all chats are answered, C at a time.
  const firstCalls = chats.reduce((sum, { index }) => sum + (callsByMessage.get(`${index}-1`) ?? 0), 0);
  const lastFirstBound =
    Math.ceil(firstCalls / concurrency) * latencyMs +
    Math.min(...chats.map(({ chat }) => Math.max(windowSpan(perChat, limits.perChat), chat.type === 'private' ? 0 : windowSpan(perChat, limits.perGroup))));
  const parts: Array<[string, number]> = [
    ['LLM concurrency', llmBound],
    ['longest chat', chainBound],
    ['Telegram per chat/group', chatWindowBound],
    ['Telegram overall', globalWindowBound],
    ['Telegram per chat after every first message', lastFirstBound],
  ];
  const bound = Math.max(...parts.map(([, ms]) => ms));
  const binding = parts.filter(([, ms]) => ms === bound).map(([name]) => name).join(', ');

  await service.stop();
  service = undefined;

  // The baseline: the same chains of calls straight at a fresh client.
  const baselineLlm = createLlm(llmConfig, { log });
  if (!baselineLlm) throw new Error('the LLM client was not created');
  const tools = toFunctionTools(TOOLS);
  const system = `You are Larder, a household's shopping-list, pantry and recipe assistant.\n${'Lists: Shopping [default]. '.repeat(4)}`;
  await baselineLlm.complete([{ role: 'user', content: 'warm up' }], { householdId: 1 });
  fakeLlm.reset();
  fakeLlm.setDefault(responder);
  watched = baselineLlm;
  arrivals.length = 0;
  const baselineCpuBefore = process.cpuUsage();
  const baselineStarted = performance.now();
  await Promise.all(
    chats.map(async ({ index }) => {
      for (let n = 1; n <= perChat; n++) {
        const messages: ChatMessage[] = [
          { role: 'system', content: system },
          { role: 'user', content: messageText(index, n) },
        ];
        for (let step = 0; step < 6; step++) {
          const answer = await baselineLlm.tools(messages, tools, { householdId: index + 1 });
          const calls = (answer.tool_calls ?? []).filter((call) => call.type === 'function');
          if (calls.length === 0) break;
          messages.push({ role: 'assistant', content: answer.content ?? null, tool_calls: calls });
          for (const call of calls) messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify({ list: { name: 'Shopping' }, items: [] }) });
        }
      }
    }),
  );
  const baselineMs = performance.now() - baselineStarted;
  const baselineCpu = process.cpuUsage(baselineCpuBefore);
  watched = null;
  const baselineCalls = fakeLlm.calls.length;
  const baselineHeld = fakeLlm.calls.reduce((sum, call) => sum + ((call.answeredAt ?? call.receivedAt) - call.receivedAt), 0);
  const baselineGap = (concurrency * baselineMs - baselineHeld) / baselineCalls;
  const baselineBound = Math.max(Math.ceil(baselineCalls / concurrency) * latencyMs, perChat * 2 * latencyMs);

  const windows = `${limits.global.count}/${limits.global.ms} ms overall, ${limits.perChat.count}/${limits.perChat.ms} ms a chat, ${limits.perGroup.count}/${limits.perGroup.ms} ms a group`;
  console.log(`database        ${database.kind === 'postgres' ? 'PostgreSQL, a chat lock per update' : 'PGlite in memory'}`);
  console.log(`messages        ${total}: ${chatCount} chats (${groups} groups, ${chatCount - groups} private) × ${perChat}, all at once`);
  console.log(`LLM calls       ${llmCalls} (${(llmCalls / total).toFixed(2)} a message), latency ${latencyMs} ms, concurrency C = ${concurrency}`);
  console.log(`Telegram limits ${fast ? 'scaled ×0.01 (FAST_LIMITS)' : 'as Telegram publishes them'}: ${windows}`);
  console.log(`bound           ${fmt(bound)} (${binding}); ${parts.map(([name, ms]) => `${name} ${fmt(ms)}`).join(', ')}`);
  console.log(`total           ${fmt(totalMs)}`);
  console.log(`ratio           ${(totalMs / bound).toFixed(3)} (target ≤ 1.15: ${totalMs / bound <= 1.15 ? 'met' : 'missed'})`);
  console.log(`max in flight   ${botFakeMax} at the fake LLM, ${botClientMax} in the client (C = ${concurrency})`);
  console.log(`order           ${chatsInOrder} of ${chatCount} chats in order: ${violations} out of place, ${missing} missing, ${unexpected} unexpected`);
  console.log(
    `where it went   first LLM call at ${fmt(firstCallAt)} (after ${statementsBeforeFirstCall} database statements); then ${gapPerCall.toFixed(1)} ms of each slot per call outside the fake; last answer at ${fmt(lastAnswerAt)}; reply after its last answer: median ${fmt(quantile(replyDelays, 0.5))}, max ${fmt(Math.max(...replyDelays))}`,
  );
  console.log(`LLM queue       ${starved} of ${Math.max(0, botQueued.length - 2 * concurrency)} calls (the tail left out) found no call waiting behind them; median ${quantile(botQueued, 0.5)} waiting`);
  console.log(
    `bot process     ${(cpuMs(cpu) / total).toFixed(1)} ms CPU a message (the fakes included; baseline ${(cpuMs(baselineCpu) / total).toFixed(1)}), event loop ${(100 * loop.utilization).toFixed(0)} % busy (delay p50 ${(lag.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms, max ${(lag.max / 1e6).toFixed(0)} ms); ${(burstStatements / total).toFixed(1)} database statements a message`,
  );
  console.log(
    `baseline        ${fmt(baselineMs)} for ${baselineCalls} calls straight at a client (bound ${fmt(baselineBound)}): ratio ${(baselineMs / baselineBound).toFixed(3)}, ${baselineGap.toFixed(1)} ms of each slot per call outside the fake, max in flight ${fakeLlm.maxInFlight}`,
  );
  console.log(`bot ÷ baseline  ${(totalMs / baselineMs).toFixed(3)}`);
  if (botFakeMax > concurrency || botClientMax > concurrency || fakeLlm.maxInFlight > concurrency) {
    console.error(`FAIL: more than ${concurrency} LLM requests in flight`);
    failed = true;
  }
  if (violations > 0 || missing > 0 || unexpected > 0) {
    console.error('FAIL: replies missing or out of order');
    failed = true;
  }
} finally {
  await service?.stop();
  await bench?.database.close();
  await bench?.drop();
  await telegram.close();
  await fakeLlm.close();
}
process.exitCode = failed ? 1 : 0;
