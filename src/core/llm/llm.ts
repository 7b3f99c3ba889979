/**
 * Larder's one LLM client (DESIGN §3). Every model call of the process goes through the `Llm`
 * made by {@link createLlm}: the `openai` client, the queue, the requests-per-minute cap,
 * timeouts, retries, structured output and usage accounting live here and nowhere else.
 *
 * Timing rules, decided once for every method:
 * - Waiting in the queue (for a concurrency slot or for the RPM window) does not count toward
 *   `timeoutMs`: a burst of household requests would otherwise fail for Larder's own load.
 *   `timeoutMs` runs from the moment the first request is sent and covers every retry and
 *   every backoff wait after it; a retry that could not finish before it is not attempted.
 * - The caller's `AbortSignal` covers everything, queue included: a request aborted while
 *   queued is never sent.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, toFile } from 'openai';
import PQueue from 'p-queue';
import { z } from 'zod';
import { systemClock, type Clock } from '../clock.ts';
import type { Config } from '../../config.ts';
import { LarderError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';

/** A chat message as the Chat Completions API takes it. */
export type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
/** A function tool offered to the model. */
export type ChatTool = OpenAI.Chat.Completions.ChatCompletionTool;
/** The assistant's answer to a tool-calling turn: content and/or `tool_calls`. */
export type AssistantMessage = OpenAI.Chat.Completions.ChatCompletionMessage;
/** One tool call inside an {@link AssistantMessage}. */
export type ToolCall = OpenAI.Chat.Completions.ChatCompletionMessageToolCall;

/** Calls answered and tokens spent. */
export interface LlmUsage {
  calls: number;
  promptTokens: number;
  completionTokens: number;
}

/** Where usage is recorded and the daily budget checked; the lead implements it on the database. */
export interface UsageStore {
  /** Tokens used today (UTC day is fine) by the household. */
  usedToday(householdId: number): Promise<number>;
  /** Adds one answered call's tokens to the household's day. */
  record(householdId: number, usage: { promptTokens: number; completionTokens: number }): Promise<void>;
}

/** Per-call options; `householdId` is who pays (usage, budget). */
export interface LlmCallOptions {
  householdId: number;
  /** Cancels the call wherever it is: queued (never sent), in flight, or waiting to retry. */
  signal?: AbortSignal;
  /** From the first request sent to the final answer, retries included; queue time excluded. Default: the client's `timeoutMs`. */
  timeoutMs?: number;
  /** `vision` uses `LARDER_VISION_MODEL` (falling back to the text model). Default `text`. */
  model?: 'text' | 'vision';
}

/** What the queue, the limits and the accounting show; for tests, the bench and health output. */
export interface LlmStats {
  /** Requests on the wire now. */
  inFlight: number;
  /** The most requests on the wire at once since the client was made. */
  maxInFlight: number;
  /** Requests waiting for a concurrency slot or the RPM window. */
  queued: number;
  /** Requests sent, retries included. */
  calls: number;
  /** Answered calls and their tokens, all households together. */
  usage: LlmUsage;
}

/**
 * The language model as the rest of Larder sees it.
 *
 * @example
 * const llm = createLlm(llmConfigFrom(config), { log });
 * if (!llm) return NO_LLM_MESSAGE;
 * const text = await llm.complete([{ role: 'user', content: 'Suggest a soup' }], { householdId });
 */
export interface Llm {
  readonly configured: true;
  /** Plain completion: the assistant's text. */
  complete(messages: ChatMessage[], options: LlmCallOptions): Promise<string>;
  /**
   * Structured output validated with a zod schema (`response_format: json_schema`, or
   * `json_object` plus the schema in the system prompt where the server rejects that). On
   * invalid JSON or a schema mismatch, ONE repair call sends the bad answer and the validation
   * error back; then `LarderError('llm:bad_output')`.
   *
   * @example
   * const { category } = await llm.structured(messages, z.object({ category: z.string() }), { householdId, name: 'category' });
   */
  structured<T>(messages: ChatMessage[], schema: z.ZodType<T>, options: LlmCallOptions & { name: string }): Promise<T>;
  /** One tool-calling turn: returns the assistant message (content and/or tool_calls) so the caller (the agent) can run the tools and loop. */
  tools(messages: ChatMessage[], tools: ChatTool[], options: LlmCallOptions): Promise<AssistantMessage>;
  /** Speech to text (`LARDER_TRANSCRIBE_MODEL`, default "whisper-1"). */
  transcribe(audio: Buffer, filename: string, options: LlmCallOptions): Promise<string>;
  /** Current state for tests/bench: in flight now, max in flight seen, queued, requests sent, usage. */
  stats(): LlmStats;
}

/** How to reach the model and how hard to use it. */
export interface LlmConfig {
  baseURL?: string;
  apiKey?: string;
  /** Default "gpt-4o-mini"; an Ollama/vLLM/LM Studio server needs its own model name here. */
  model?: string;
  visionModel?: string;
  /** Default "whisper-1". */
  transcribeModel?: string;
  /** Requests on the wire at once, for the whole process. */
  concurrency: number;
  /** Request starts (retries included) in any sliding window of `rpmWindowMs`. */
  rpm: number;
  /** The RPM window; 60 000 ms unless a test shortens it. */
  rpmWindowMs?: number;
  /** Tokens per household per UTC day; no limit when absent. */
  dailyTokenBudget?: number;
  /** Default per-call timeout; 30 000 ms. */
  timeoutMs?: number;
  /** Retries after a 429, a 5xx or a lost connection; default 3. */
  maxRetries?: number;
}

/** The message callers show when no LLM is configured. */
export const NO_LLM_MESSAGE =
  'This needs an LLM: set OPENAI_BASE_URL (and LARDER_MODEL) to an OpenAI-compatible endpoint such as Ollama, ' +
  'or OPENAI_API_KEY for OpenAI. Everything else in Larder works without one.';

const BUDGET_MESSAGE =
  "Today's LLM budget for this household is used up; it resets at midnight UTC. Everything that does not need the LLM still works.";

const DEFAULT_MODEL = 'gpt-4o-mini';
const DEFAULT_TRANSCRIBE_MODEL = 'whisper-1';
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_RPM_WINDOW_MS = 60_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;

/** The LLM part of Larder's validated configuration. */
export function llmConfigFrom(config: Config): LlmConfig {
  return {
    baseURL: config.OPENAI_BASE_URL,
    apiKey: config.OPENAI_API_KEY,
    model: config.LARDER_MODEL,
    visionModel: config.LARDER_VISION_MODEL,
    transcribeModel: config.LARDER_TRANSCRIBE_MODEL,
    concurrency: config.LARDER_LLM_CONCURRENCY,
    rpm: config.LARDER_LLM_RPM,
    dailyTokenBudget: config.LARDER_LLM_DAILY_TOKENS,
  };
}

/**
 * A usage store kept in memory for the current UTC day; the default when none is injected, so
 * a daily budget still holds within one process.
 */
export function createMemoryUsageStore(clock: Clock = systemClock): UsageStore {
  let day = '';
  let used = new Map<number, number>();
  const today = (): Map<number, number> => {
    const now = clock.now().toISOString().slice(0, 10);
    // A new day starts from nothing; yesterday's counts are no longer needed.
    if (now !== day) {
      day = now;
      used = new Map();
    }
    return used;
  };
  return {
    async usedToday(householdId) {
      return today().get(householdId) ?? 0;
    },
    async record(householdId, usage) {
      const counts = today();
      counts.set(householdId, (counts.get(householdId) ?? 0) + usage.promptTokens + usage.completionTokens);
    },
  };
}

/**
 * How long a server asked us to wait, from `retry-after-ms`, or `Retry-After` in seconds or as
 * an HTTP date; `undefined` when it did not say (or said something unreadable).
 *
 * @example parseRetryAfter(new Headers({ 'retry-after': '2' }), new Date()) // 2000
 */
export function parseRetryAfter(headers: Headers | undefined, now: Date): number | undefined {
  const ms = headers?.get('retry-after-ms')?.trim();
  if (ms) {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers?.get('retry-after')?.trim();
  if (!after) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s … up to 8 s, each randomly shortened by up to half. */
function backoffMs(retry: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retry);
  return ceiling * (0.5 + Math.random() / 2);
}

/** A failed request, sorted into what Larder tells the caller and whether trying again may help. */
interface Failure {
  code: ErrorCode;
  message: string;
  retry: boolean;
  retryAfterMs?: number;
  status?: number;
}

function classify(error: unknown, baseURL: string, now: Date): Failure {
  // The SDK's own timeout (10 min by default) only fires if a caller asks for more than that.
  if (error instanceof APIConnectionTimeoutError) {
    return { code: 'llm:timeout', message: 'The language model did not answer in time. Try again in a moment.', retry: false };
  }
  if (error instanceof APIConnectionError) {
    return {
      code: 'llm:unavailable',
      message: `Could not reach the language model at ${baseURL}; is it running? Try again later.`,
      retry: true,
    };
  }
  if (isHttpError(error)) {
    const status = error.status;
    // OpenAI (and some proxies) say outright when a retry is pointless.
    const mayRetry = error.headers?.get('x-should-retry') !== 'false';
    const retryAfterMs = parseRetryAfter(error.headers, now);
    if (status === 429) {
      return {
        code: 'llm:rate_limited',
        message: 'The language model is rate-limiting Larder right now. Try again in a minute.',
        retry: mayRetry,
        retryAfterMs,
        status,
      };
    }
    if (status >= 500) {
      return {
        code: 'llm:unavailable',
        message: `The language model failed (HTTP ${status}). Try again later.`,
        retry: mayRetry,
        retryAfterMs,
        status,
      };
    }
    if (status === 401 || status === 403) {
      return {
        code: 'llm:auth',
        message: `The language model refused Larder's credentials (HTTP ${status}); check OPENAI_API_KEY.`,
        retry: false,
        status,
      };
    }
    return {
      code: 'llm:rejected',
      message: `The language model rejected the request (HTTP ${status}: ${apiMessage(error)}).`,
      retry: false,
      status,
    };
  }
  // A 200 that is not an API answer (a captive portal, a broken proxy): retrying will not fix it.
  return {
    code: 'llm:unavailable',
    message: `The language model at ${baseURL} answered with something that is not an OpenAI-compatible response.`,
    retry: false,
  };
}

function apiMessage(error: APIError<number, Headers | undefined, object | undefined>): string {
  const body: unknown = error.error;
  if (isRecord(body) && typeof body['message'] === 'string') return body['message'];
  return error.message;
}

/** An error answer from the server (it has an HTTP status), typed without the SDK's `any` defaults. */
function isHttpError(error: unknown): error is APIError<number, Headers | undefined, object | undefined> {
  return error instanceof APIError && typeof error.status === 'number';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One kind of request the client can send, and how to read its token counts. */
interface Request<R> {
  op: 'complete' | 'structured' | 'tools' | 'transcribe';
  model: string;
  send(signal: AbortSignal): Promise<R>;
  tokens(result: R): { promptTokens: number; completionTokens: number };
}

/** How structured output is asked for; servers that reject one step down to the next. */
type JsonMode = 'json_schema' | 'json_object' | 'prompt';

/**
 * Builds the process's LLM client, or `null` when no endpoint is configured (no `baseURL` and
 * no `apiKey`): callers then answer with {@link NO_LLM_MESSAGE}.
 *
 * @example
 * const llm = createLlm({ baseURL: 'http://localhost:11434/v1', model: 'llama3.1', concurrency: 4, rpm: 60 }, { log });
 */
export function createLlm(config: LlmConfig, deps: { log: Logger; clock?: Clock; usage?: UsageStore }): Llm | null {
  if (!config.baseURL && !config.apiKey) return null;
  const clock = deps.clock ?? systemClock;
  const log = deps.log.child({ module: 'llm' });
  const usage = deps.usage ?? createMemoryUsageStore(clock);
  const baseURL = config.baseURL ?? 'https://api.openai.com/v1';
  const textModel = config.model ?? DEFAULT_MODEL;
  const visionModel = config.visionModel ?? textModel;
  const transcribeModel = config.transcribeModel ?? DEFAULT_TRANSCRIBE_MODEL;
  const defaultTimeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = config.maxRetries ?? DEFAULT_MAX_RETRIES;
  const budget = config.dailyTokenBudget;

  // Everything explicit, so the SDK reads nothing from the environment; retries are ours.
  const client = new OpenAI({
    baseURL,
    // Local servers (Ollama, LM Studio) need no key, but the SDK insists on one.
    apiKey: config.apiKey ?? 'larder-no-key',
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    maxRetries: 0,
    logLevel: 'off',
  });

  // One queue for every call: `concurrency` on the wire at once, and p-queue's strict mode is
  // a true sliding window of request starts, so retries (queued again) count too.
  const queue = new PQueue({
    concurrency: config.concurrency,
    intervalCap: config.rpm,
    interval: config.rpmWindowMs ?? DEFAULT_RPM_WINDOW_MS,
    strict: true,
  });

  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const totals: LlmUsage = { calls: 0, promptTokens: 0, completionTokens: 0 };
  let jsonMode: JsonMode = 'json_schema';

  const aborted = (signal: AbortSignal): LarderError =>
    new LarderError('llm:aborted', 'The request to the language model was cancelled.', undefined, {
      cause: signal.reason,
    });

  async function checkBudget(householdId: number): Promise<void> {
    if (budget === undefined) return;
    const used = await usage.usedToday(householdId);
    if (used >= budget) {
      log.warn({ householdId, used, budget }, 'llm daily budget used up');
      throw new LarderError('llm:budget', BUDGET_MESSAGE, { used, budget });
    }
  }

  async function account(householdId: number, tokens: { promptTokens: number; completionTokens: number }) {
    totals.calls++;
    totals.promptTokens += tokens.promptTokens;
    totals.completionTokens += tokens.completionTokens;
    try {
      await usage.record(householdId, tokens);
    } catch (error) {
      // The answer is already paid for and in hand; losing one usage row must not lose it.
      log.error({ err: error, householdId }, 'llm usage could not be recorded');
    }
  }

  /** Sends one logical call through the queue, with the deadline, retries and accounting. */
  async function call<R>(request: Request<R>, options: LlmCallOptions): Promise<R> {
    const { householdId, signal: callerSignal } = options;
    if (callerSignal?.aborted) throw aborted(callerSignal);
    await checkBudget(householdId);
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    const deadline = new AbortController();
    const signal = callerSignal ? AbortSignal.any([callerSignal, deadline.signal]) : deadline.signal;
    const startedAt = performance.now();
    let firstSentAt: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const meta = { op: request.op, model: request.model, householdId };

    const timedOut = (cause: unknown) =>
      new LarderError(
        'llm:timeout',
        `The language model did not answer in time (${Math.round(timeoutMs / 100) / 10} s). Try again in a moment.`,
        { timeoutMs },
        { cause },
      );

    try {
      for (let retry = 0; ; retry++) {
        let result: R;
        try {
          result = await queue.add(
            async () => {
              // The deadline starts with the first request sent, not with the wait in the queue.
              if (firstSentAt === undefined) {
                firstSentAt = performance.now();
                timer = setTimeout(() => deadline.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
              }
              calls++;
              inFlight++;
              maxInFlight = Math.max(maxInFlight, inFlight);
              try {
                return await request.send(signal);
              } finally {
                inFlight--;
              }
            },
            // Retries go ahead of fresh calls: they have waited already.
            { signal, priority: retry > 0 ? 1 : 0 },
          );
        } catch (error) {
          if (callerSignal?.aborted) throw aborted(callerSignal);
          if (deadline.signal.aborted) {
            log.warn({ ...meta, code: 'llm:timeout', ms: Math.round(performance.now() - startedAt), attempts: retry + 1 }, 'llm call failed');
            throw timedOut(error);
          }
          const failure = classify(error, baseURL, clock.now());
          const elapsed = performance.now() - (firstSentAt ?? performance.now());
          const wait = failure.retry && retry < maxRetries ? (failure.retryAfterMs ?? backoffMs(retry)) : undefined;
          const status = failure.status;
          // Never retry past the caller's deadline: the wait alone would overrun it.
          if (wait === undefined || elapsed + wait >= timeoutMs) {
            log.warn(
              { ...meta, code: failure.code, status, ms: Math.round(performance.now() - startedAt), attempts: retry + 1 },
              'llm call failed',
            );
            throw new LarderError(failure.code, failure.message, { status, attempts: retry + 1 }, { cause: error });
          }
          log.warn({ ...meta, code: failure.code, status, retryInMs: Math.round(wait), attempt: retry + 1 }, 'llm call will be retried');
          try {
            await sleep(wait, undefined, { signal });
          } catch (sleepError) {
            if (callerSignal?.aborted) throw aborted(callerSignal);
            throw timedOut(sleepError);
          }
          continue;
        }
        const tokens = request.tokens(result);
        await account(householdId, tokens);
        log.info(
          { ...meta, status: 200, ms: Math.round(performance.now() - startedAt), attempts: retry + 1, ...tokens },
          'llm call',
        );
        return result;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  const modelFor = (options: LlmCallOptions): string => (options.model === 'vision' ? visionModel : textModel);

  function chat(
    op: Request<unknown>['op'],
    body: Omit<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, 'model'>,
    options: LlmCallOptions,
  ): Promise<OpenAI.Chat.Completions.ChatCompletion> {
    const model = modelFor(options);
    return call(
      {
        op,
        model,
        send: (signal) => client.chat.completions.create({ ...body, model, stream: false }, { signal }),
        tokens: (completion) => ({
          promptTokens: completion.usage?.prompt_tokens ?? 0,
          completionTokens: completion.usage?.completion_tokens ?? 0,
        }),
      },
      options,
    );
  }

  function firstMessage(completion: OpenAI.Chat.Completions.ChatCompletion): AssistantMessage {
    const message = completion.choices[0]?.message;
    if (!message) throw new LarderError('llm:bad_output', 'The language model sent an answer with no message in it.');
    return message;
  }

  async function structured<T>(
    messages: ChatMessage[],
    schema: z.ZodType<T>,
    options: LlmCallOptions & { name: string },
  ): Promise<T> {
    const prepared = jsonSchemaFor(schema);
    const name = options.name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'answer';
    let strict = prepared.strict;
    let conversation = messages;
    let repaired = false;
    for (;;) {
      const mode = jsonMode;
      let content: string;
      try {
        const completion = await chat(
          'structured',
          {
            messages: mode === 'json_schema' ? conversation : withSchemaPrompt(conversation, prepared.schema),
            ...(mode === 'json_schema'
              ? { response_format: { type: 'json_schema', json_schema: { name, schema: prepared.schema, strict } } }
              : mode === 'json_object'
                ? { response_format: { type: 'json_object' } }
                : {}),
          },
          options,
        );
        content = firstMessage(completion).content ?? '';
      } catch (error) {
        const complaint = responseFormatComplaint(error);
        if (complaint === undefined) throw error;
        // OpenAI refusing this schema in strict mode says nothing about json_schema itself.
        if (mode === 'json_schema' && strict && /invalid schema/i.test(complaint)) {
          strict = false;
          continue;
        }
        const next: JsonMode | undefined = mode === 'json_schema' ? 'json_object' : mode === 'json_object' ? 'prompt' : undefined;
        if (next === undefined) throw error;
        // Remembered for the whole client: the server will not change its mind between calls.
        if (jsonMode === mode) {
          jsonMode = next;
          log.warn({ from: mode, to: next, model: modelFor(options) }, 'llm server rejects this response_format; falling back');
        }
        continue;
      }
      const outcome = readAnswer(content, schema);
      if (outcome.ok) return outcome.value;
      if (repaired) {
        log.warn({ op: 'structured', name, householdId: options.householdId }, 'llm answer still invalid after repair');
        throw new LarderError(
          'llm:bad_output',
          'The language model did not give a usable answer, even when asked again. Try rephrasing, or try again later.',
          { name, problem: outcome.problem },
          { cause: outcome.cause },
        );
      }
      repaired = true;
      log.warn({ op: 'structured', name, householdId: options.householdId }, 'llm answer invalid; asking once to repair it');
      conversation = [
        ...messages,
        { role: 'assistant', content },
        {
          role: 'user',
          content:
            `Your previous answer could not be used: ${outcome.problem.slice(0, 2000)}\n` +
            'Reply again with only the corrected JSON, matching the schema, and nothing else.',
        },
      ];
    }
  }

  return {
    configured: true,

    async complete(messages, options) {
      const content = firstMessage(await chat('complete', { messages }, options)).content;
      if (content === null) throw new LarderError('llm:bad_output', 'The language model sent no text.');
      return content;
    },

    structured,

    async tools(messages, tools, options) {
      return firstMessage(await chat('tools', { messages, tools }, options));
    },

    async transcribe(audio, filename, options) {
      const transcription = await call(
        {
          op: 'transcribe',
          model: transcribeModel,
          // A fresh upload per attempt: a retry must send the whole file again.
          send: async (signal) =>
            client.audio.transcriptions.create({ model: transcribeModel, file: await toFile(audio, filename) }, { signal }),
          tokens: (result) =>
            result.usage?.type === 'tokens'
              ? { promptTokens: result.usage.input_tokens, completionTokens: result.usage.output_tokens }
              : { promptTokens: 0, completionTokens: 0 },
        },
        options,
      );
      return transcription.text;
    },

    stats: () => ({ inFlight, maxInFlight, queued: queue.size, calls, usage: { ...totals } }),
  };
}

/** The server's complaint when a 400/422 is about `response_format` (it cannot do that kind of structured output). */
function responseFormatComplaint(error: unknown): string | undefined {
  if (!(error instanceof LarderError) || error.code !== 'llm:rejected') return undefined;
  const cause = error.cause;
  if (!isHttpError(cause) || (cause.status !== 400 && cause.status !== 422)) return undefined;
  const text = `${cause.param ?? ''} ${apiMessage(cause)}`;
  return /response_format|json_schema/i.test(text) ? text : undefined;
}

/**
 * The JSON Schema of what the model should send (zod's input side: transforms run after
 * validation), and whether it fits OpenAI's strict mode (every property required, no extras,
 * nothing left untyped).
 */
function jsonSchemaFor(schema: z.ZodType): { schema: Record<string, unknown>; strict: boolean } {
  let strict = true;
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isRecord(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = visit(value);
    if (Object.keys(out).length === 0) strict = false;
    const properties = out['properties'];
    if (isRecord(properties)) {
      // zod strips unknown keys anyway; saying so keeps the model from inventing them.
      out['additionalProperties'] ??= false;
      const required = Array.isArray(out['required']) ? (out['required'] as unknown[]) : [];
      if (out['additionalProperties'] !== false || Object.keys(properties).some((key) => !required.includes(key))) {
        strict = false;
      }
    }
    return out;
  };
  const raw = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const prepared = visit(raw) as Record<string, unknown>;
  delete prepared['$schema'];
  // Strict mode wants an object at the root.
  if (prepared['type'] !== 'object') strict = false;
  return { schema: prepared, strict };
}

/** The conversation with the schema spelled out in the system prompt, for servers without json_schema. */
function withSchemaPrompt(messages: ChatMessage[], schema: Record<string, unknown>): ChatMessage[] {
  const instruction =
    'Answer with one JSON value only (no prose, no code fences) that matches this JSON Schema:\n' + JSON.stringify(schema);
  const [first, ...rest] = messages;
  // Some local chat templates accept a single system message, and only first.
  if (first?.role === 'system' && typeof first.content === 'string') {
    return [{ role: 'system', content: `${first.content}\n\n${instruction}` }, ...rest];
  }
  return [{ role: 'system', content: instruction }, ...messages];
}

type Answer<T> = { ok: true; value: T } | { ok: false; problem: string; cause: unknown };

/** Parses and validates the model's text; local models like to wrap JSON in code fences. */
function readAnswer<T>(content: string, schema: z.ZodType<T>): Answer<T> {
  const trimmed = content.trim();
  const fenced = /^```[A-Za-z]*\s*([\s\S]*?)\s*```$/.exec(trimmed);
  const text = fenced?.[1] ?? trimmed;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `it is not valid JSON (${reason}).`, cause: error };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problem: `it does not match the schema:\n${z.prettifyError(parsed.error)}`, cause: parsed.error };
}
