import { Writable } from 'node:stream';
import { APIConnectionError, APIError } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { LarderError } from '../../src/core/errors.ts';
import {
  NO_LLM_MESSAGE,
  createLlm,
  createMemoryUsageStore,
  llmConfigFrom,
  parseRetryAfter,
  type ChatMessage,
  type Llm,
  type LlmConfig,
  type UsageStore,
} from '../../src/core/llm/llm.ts';
import { createLogger, silentLogger, type Logger } from '../../src/core/log.ts';
import { startFakeOpenAi, type FakeOpenAi, type RecordedCall } from '../support/fake-openai.ts';

const household = { householdId: 7 };
const ask: ChatMessage[] = [{ role: 'user', content: 'what is for dinner?' }];

let fake: FakeOpenAi;

beforeEach(async () => {
  fake = await startFakeOpenAi();
});

afterEach(async () => {
  await fake.close();
});

function makeLlm(overrides: Partial<LlmConfig> = {}, deps: { usage?: UsageStore; log?: Logger; clock?: ReturnType<typeof createManualClock> } = {}): Llm {
  const llm = createLlm(
    { baseURL: fake.url, apiKey: 'sk-test', model: 'fake-chat', concurrency: 4, rpm: 10_000, ...overrides },
    { log: deps.log ?? silentLogger(), ...(deps.clock ? { clock: deps.clock } : {}), ...(deps.usage ? { usage: deps.usage } : {}) },
  );
  if (!llm) throw new Error('expected an LLM client');
  return llm;
}

async function rejection(promise: Promise<unknown>): Promise<LarderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LarderError);
    return error as LarderError;
  }
  throw new Error('expected the call to fail');
}

/** A usage store that remembers what it was told, with a fixed amount already used today. */
function recordingStore(usedToday = 0) {
  const records: { householdId: number; promptTokens: number; completionTokens: number }[] = [];
  let asked = 0;
  const store: UsageStore = {
    async usedToday() {
      asked++;
      return usedToday;
    },
    async record(householdId, usage) {
      records.push({ householdId, ...usage });
    },
  };
  return { store, records, asked: () => asked };
}

function body(call: RecordedCall | undefined): Record<string, unknown> {
  expect(call).toBeDefined();
  const value = call?.body;
  if (typeof value !== 'object' || value === null) throw new Error('expected a JSON body');
  return value as Record<string, unknown>;
}

function messagesOf(call: RecordedCall | undefined): { role: string; content: unknown }[] {
  return body(call)['messages'] as { role: string; content: unknown }[];
}

const responseFormatUnsupported = {
  kind: 'error' as const,
  status: 400 as const,
  body: {
    error: {
      message: "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
      type: 'invalid_request_error',
      param: 'response_format',
      code: null,
    },
  },
};

describe('createLlm', () => {
  it('returns null when neither a base URL nor an API key is configured', () => {
    expect(createLlm({ concurrency: 4, rpm: 60 }, { log: silentLogger() })).toBeNull();
    expect(NO_LLM_MESSAGE).toContain('OPENAI_BASE_URL');
  });

  it('is configured with only a base URL (Ollama) or only a key (OpenAI)', () => {
    expect(createLlm({ baseURL: 'http://127.0.0.1:11434/v1', concurrency: 1, rpm: 1 }, { log: silentLogger() })?.configured).toBe(true);
    expect(createLlm({ apiKey: 'sk-x', concurrency: 1, rpm: 1 }, { log: silentLogger() })?.configured).toBe(true);
  });

  it('reads its settings from the validated configuration', () => {
    const config = loadConfig({
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
      LARDER_MODEL: 'llama3.1',
      LARDER_LLM_CONCURRENCY: '2',
      LARDER_LLM_RPM: '30',
      LARDER_LLM_DAILY_TOKENS: '5000',
    });
    expect(llmConfigFrom(config)).toMatchObject({
      baseURL: 'http://127.0.0.1:11434/v1',
      model: 'llama3.1',
      concurrency: 2,
      rpm: 30,
      dailyTokenBudget: 5000,
    });
  });
});

describe('complete', () => {
  it('returns the assistant text and sends the model, the key and no streaming', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'text', content: 'Lentil soup.' });
    await expect(llm.complete(ask, household)).resolves.toBe('Lentil soup.');
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.authorization).toBe('Bearer sk-test');
    expect(body(fake.calls[0])).toMatchObject({ model: 'fake-chat', messages: ask, stream: false });
  });

  it('uses the vision model when asked', async () => {
    const llm = makeLlm({ visionModel: 'fake-vision' });
    await llm.complete(ask, { ...household, model: 'vision' });
    await llm.complete(ask, household);
    expect(body(fake.calls[0])['model']).toBe('fake-vision');
    expect(body(fake.calls[1])['model']).toBe('fake-chat');
  });
});

describe('concurrency and requests per minute', () => {
  it('never has more than `concurrency` requests on the wire, and fills every slot', async () => {
    const llm = makeLlm({ concurrency: 4 });
    fake.setDefault({ kind: 'text', content: 'ok', latencyMs: 20 });
    const answers = await Promise.all(Array.from({ length: 100 }, () => llm.complete(ask, household)));
    expect(answers).toHaveLength(100);
    expect(fake.calls).toHaveLength(100);
    expect(fake.maxInFlight).toBe(4);
    expect(llm.stats()).toMatchObject({ inFlight: 0, maxInFlight: 4, queued: 0, calls: 100 });
  });

  it('counts every kind of call against the same limit', async () => {
    const llm = makeLlm({ concurrency: 2 });
    fake.setDefault((call) =>
      call.path === '/v1/audio/transcriptions'
        ? { kind: 'transcription', text: 'milk', latencyMs: 20 }
        : { kind: 'json', value: { ok: true }, latencyMs: 20 },
    );
    const schema = z.object({ ok: z.boolean() });
    const tool = { type: 'function' as const, function: { name: 'get_list', parameters: { type: 'object', properties: {} } } };
    await Promise.all(
      Array.from({ length: 5 }, () => [
        llm.complete(ask, household),
        llm.structured(ask, schema, { ...household, name: 'ok' }),
        llm.tools(ask, [tool], household),
        llm.transcribe(Buffer.from('voice'), 'note.ogg', household),
      ]).flat(),
    );
    expect(fake.calls).toHaveLength(20);
    expect(fake.maxInFlight).toBe(2);
  });

  it('makes the request past `rpm` wait until the sliding window allows it', async () => {
    const llm = makeLlm({ rpm: 5, rpmWindowMs: 1000 });
    await Promise.all(Array.from({ length: 6 }, () => llm.complete(ask, household)));
    // Arrival times at the fake jitter with load; a window of a second keeps that jitter small beside it.
    const at = fake.calls.map((call) => call.receivedAt);
    const first = at[0] ?? 0;
    expect((at[4] ?? 0) - first).toBeLessThan(400);
    expect((at[5] ?? 0) - first).toBeGreaterThanOrEqual(850);
  });

  it('keeps any window of `rpmWindowMs` to at most `rpm` starts', async () => {
    const llm = makeLlm({ rpm: 3, rpmWindowMs: 1000 });
    await Promise.all(Array.from({ length: 9 }, () => llm.complete(ask, household)));
    // Arrival times at the fake jitter with the machine's load (tens of ms on a busy CI box);
    // without the window the fourth request would arrive within milliseconds of the first.
    const at = fake.calls.map((call) => call.receivedAt);
    for (let i = 0; i + 3 < at.length; i++) expect((at[i + 3] ?? 0) - (at[i] ?? 0)).toBeGreaterThanOrEqual(850);
  });

  it('counts retries as requests', async () => {
    const llm = makeLlm({ rpm: 2, rpmWindowMs: 600 });
    fake.script({ kind: 'error', status: 500, retryAfterSeconds: 0 });
    await Promise.all([llm.complete(ask, household), llm.complete(ask, household)]);
    expect(fake.calls).toHaveLength(3);
    // Same allowance for arrival jitter as above.
    expect((fake.calls[2]?.receivedAt ?? 0) - (fake.calls[0]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(450);
  });
});

describe('retries and errors', () => {
  it('honours Retry-After on a 429, then succeeds', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'error', status: 429, retryAfterSeconds: 1 }, { kind: 'text', content: 'ok' });
    await expect(llm.complete(ask, household)).resolves.toBe('ok');
    expect(fake.calls).toHaveLength(2);
    const waited = (fake.calls[1]?.receivedAt ?? 0) - (fake.calls[0]?.answeredAt ?? 0);
    expect(waited).toBeGreaterThanOrEqual(1000);
  });

  it('retries a 500 once and returns the answer', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'error', status: 500 }, { kind: 'text', content: 'ok' });
    await expect(llm.complete(ask, household)).resolves.toBe('ok');
    expect(fake.calls.map((call) => call.status)).toEqual([500, 200]);
  });

  it('never retries a 400 and reports it as rejected, keeping the cause', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'error', status: 400 });
    const error = await rejection(llm.complete(ask, household));
    expect(error.code).toBe('llm:rejected');
    expect(error.cause).toBeInstanceOf(APIError);
    expect(fake.calls).toHaveLength(1);
  });

  it('reports 401 and 403 as an authentication problem, without retrying', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'error', status: 401 }, { kind: 'error', status: 403 });
    for (let i = 0; i < 2; i++) {
      const error = await rejection(llm.complete(ask, household));
      expect(error.code).toBe('llm:auth');
      expect(error.message).toContain('OPENAI_API_KEY');
    }
    expect(fake.calls).toHaveLength(2);
  });

  it('gives up after maxRetries: 429 → rate_limited, 503 → unavailable', async () => {
    const llm = makeLlm({ maxRetries: 2 });
    fake.setDefault({ kind: 'error', status: 429, retryAfterSeconds: 0 });
    expect((await rejection(llm.complete(ask, household))).code).toBe('llm:rate_limited');
    expect(fake.calls).toHaveLength(3);
    fake.reset();
    fake.setDefault({ kind: 'error', status: 503, retryAfterSeconds: 0 });
    const error = await rejection(llm.complete(ask, household));
    expect(error.code).toBe('llm:unavailable');
    expect(error.details).toMatchObject({ status: 503, attempts: 3 });
    expect(fake.calls).toHaveLength(3);
  });

  it('does not retry when the wait would run past the timeout', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'error', status: 429, retryAfterSeconds: 5 });
    const started = Date.now();
    const error = await rejection(llm.complete(ask, { ...household, timeoutMs: 1000 }));
    expect(error.code).toBe('llm:rate_limited');
    expect(Date.now() - started).toBeLessThan(800);
    expect(fake.calls).toHaveLength(1);
  });

  it('does not retry when the server says x-should-retry: false', async () => {
    const llm = makeLlm();
    fake.setDefault(() => {
      throw new Error('scripted failure');
    });
    expect((await rejection(llm.complete(ask, household))).code).toBe('llm:unavailable');
    expect(fake.calls).toHaveLength(1);
  });

  it('reports a refused connection as unavailable', async () => {
    const gone = await startFakeOpenAi();
    const url = gone.url;
    await gone.close();
    const llm = createLlm({ baseURL: url, concurrency: 1, rpm: 60, maxRetries: 1 }, { log: silentLogger() });
    if (!llm) throw new Error('expected an LLM client');
    const error = await rejection(llm.complete(ask, household));
    expect(error.code).toBe('llm:unavailable');
    expect(error.message).toContain(url);
    expect(error.cause).toBeInstanceOf(APIConnectionError);
    expect(llm.stats().calls).toBe(2);
  });

  it('reports a 200 that is not an API answer as unavailable, without retrying', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'malformed_http' });
    expect((await rejection(llm.complete(ask, household))).code).toBe('llm:unavailable');
    expect(fake.calls).toHaveLength(1);
  });
});

describe('timeouts and cancellation', () => {
  it('times out a request that hangs', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'hang' });
    const started = Date.now();
    const error = await rejection(llm.complete(ask, { ...household, timeoutMs: 300 }));
    expect(error.code).toBe('llm:timeout');
    expect(error.message).toMatch(/did not answer in time/);
    expect(Date.now() - started).toBeLessThan(1500);
    await expect.poll(() => fake.calls[0]?.aborted).toBe(true);
  });

  it('does not count time waiting in the queue toward the timeout', async () => {
    const llm = makeLlm({ concurrency: 1 });
    fake.script({ kind: 'text', content: 'first', latencyMs: 400 }, { kind: 'text', content: 'second', latencyMs: 50 });
    const first = llm.complete(ask, household);
    const second = llm.complete(ask, { ...household, timeoutMs: 300 });
    await expect(Promise.all([first, second])).resolves.toEqual(['first', 'second']);
  });

  it('drops a request aborted while queued: it never reaches the server', async () => {
    const llm = makeLlm({ concurrency: 1 });
    fake.script({ kind: 'text', content: 'first', latencyMs: 200 });
    const first = llm.complete(ask, household);
    const controller = new AbortController();
    const second = llm.complete(ask, { ...household, signal: controller.signal });
    await expect.poll(() => llm.stats().queued).toBe(1);
    controller.abort();
    expect((await rejection(second)).code).toBe('llm:aborted');
    expect(llm.stats().queued).toBe(0);
    await expect(first).resolves.toBe('first');
    expect(fake.calls).toHaveLength(1);
  });

  it('cancels a request in flight', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'hang' });
    const controller = new AbortController();
    const pending = llm.complete(ask, { ...household, signal: controller.signal });
    await expect.poll(() => fake.calls.length).toBe(1);
    controller.abort();
    expect((await rejection(pending)).code).toBe('llm:aborted');
    await expect.poll(() => fake.calls[0]?.aborted).toBe(true);
  });

  it('cancels while waiting to retry', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'error', status: 429, retryAfterSeconds: 5 });
    const controller = new AbortController();
    const started = Date.now();
    const pending = llm.complete(ask, { ...household, signal: controller.signal, timeoutMs: 20_000 });
    await expect.poll(() => fake.calls[0]?.status).toBe(429);
    controller.abort();
    expect((await rejection(pending)).code).toBe('llm:aborted');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.calls).toHaveLength(1);
  });

  it('sends nothing for a signal that is already aborted', async () => {
    const llm = makeLlm();
    expect((await rejection(llm.complete(ask, { ...household, signal: AbortSignal.abort() }))).code).toBe('llm:aborted');
    expect(fake.calls).toHaveLength(0);
  });
});

describe('structured', () => {
  const Items = z.object({ items: z.array(z.object({ name: z.string(), quantity: z.string() })) });

  it('asks for json_schema and returns the validated value', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'json', value: { items: [{ name: 'milk', quantity: '2 l' }] } });
    const value = await llm.structured(ask, Items, { ...household, name: 'shopping items' });
    expect(value.items[0]?.name).toBe('milk');
    const format = body(fake.calls[0])['response_format'] as {
      type: string;
      json_schema: { name: string; strict: boolean; schema: Record<string, unknown> };
    };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.name).toBe('shopping_items');
    expect(format.json_schema.strict).toBe(true);
    expect(format.json_schema.schema).toMatchObject({ type: 'object', required: ['items'], additionalProperties: false });
    expect(format.json_schema.schema).not.toHaveProperty('$schema');
  });

  it('does not ask for strict mode when the schema has optional fields', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'json', value: { name: 'milk' } });
    await llm.structured(ask, z.object({ name: z.string(), note: z.string().optional() }), { ...household, name: 'item' });
    const format = body(fake.calls[0])['response_format'] as { json_schema: { strict: boolean } };
    expect(format.json_schema.strict).toBe(false);
  });

  it('accepts JSON wrapped in a code fence', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'raw_content', content: '```json\n{"items": []}\n```' });
    await expect(llm.structured(ask, Items, { ...household, name: 'items' })).resolves.toEqual({ items: [] });
    expect(fake.calls).toHaveLength(1);
  });

  it('repairs malformed JSON once, sending back the answer and the error', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'raw_content', content: '{"items": [' }, { kind: 'json', value: { items: [] } });
    await expect(llm.structured(ask, Items, { ...household, name: 'items' })).resolves.toEqual({ items: [] });
    expect(fake.calls).toHaveLength(2);
    const repair = messagesOf(fake.calls[1]);
    expect(repair.slice(0, ask.length)).toEqual(ask);
    expect(repair.at(-2)).toEqual({ role: 'assistant', content: '{"items": [' });
    expect(repair.at(-1)?.role).toBe('user');
    expect(String(repair.at(-1)?.content)).toContain('not valid JSON');
  });

  it('repairs a schema mismatch, naming what was wrong', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'json', value: { items: [{ name: 'milk' }] } }, { kind: 'json', value: { items: [{ name: 'milk', quantity: '1' }] } });
    await llm.structured(ask, Items, { ...household, name: 'items' });
    const problem = String(messagesOf(fake.calls[1]).at(-1)?.content);
    expect(problem).toContain('items[0].quantity');
  });

  it('gives up with bad_output when the repair is bad too', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'raw_content', content: 'Sure! Here are your items.' }, { kind: 'raw_content', content: '{"items": 3}' });
    const error = await rejection(llm.structured(ask, Items, { ...household, name: 'items' }));
    expect(error.code).toBe('llm:bad_output');
    expect(error.cause).toBeInstanceOf(z.ZodError);
    expect(fake.calls).toHaveLength(2);
  });

  it('falls back to json_object with the schema in the system prompt, and remembers it', async () => {
    const llm = makeLlm();
    fake.script(responseFormatUnsupported, { kind: 'json', value: { items: [] } }, { kind: 'json', value: { items: [] } });
    const messages: ChatMessage[] = [{ role: 'system', content: 'You help with groceries.' }, ...ask];
    await expect(llm.structured(messages, Items, { ...household, name: 'items' })).resolves.toEqual({ items: [] });
    expect(fake.calls).toHaveLength(2);
    expect(body(fake.calls[1])['response_format']).toEqual({ type: 'json_object' });
    const sent = messagesOf(fake.calls[1]);
    expect(sent.filter((message) => message.role === 'system')).toHaveLength(1);
    expect(String(sent[0]?.content)).toMatch(/^You help with groceries\.[\s\S]*JSON Schema[\s\S]*"quantity"/);

    await llm.structured(ask, Items, { ...household, name: 'items' });
    expect(fake.calls).toHaveLength(3);
    expect(body(fake.calls[2])['response_format']).toEqual({ type: 'json_object' });
  });

  it('falls back to the prompt alone when json_object is rejected too', async () => {
    const llm = makeLlm();
    const jsonObjectUnsupported = {
      ...responseFormatUnsupported,
      body: { error: { message: 'response_format is not supported', type: 'invalid_request_error', param: null, code: null } },
    };
    fake.script(responseFormatUnsupported, jsonObjectUnsupported, { kind: 'json', value: { items: [] } });
    await expect(llm.structured(ask, Items, { ...household, name: 'items' })).resolves.toEqual({ items: [] });
    expect(fake.calls).toHaveLength(3);
    expect(body(fake.calls[2])).not.toHaveProperty('response_format');
    expect(String(messagesOf(fake.calls[2])[0]?.content)).toContain('JSON Schema');
  });

  it('drops strict mode for one call when OpenAI calls the schema invalid, keeping json_schema', async () => {
    const llm = makeLlm();
    fake.script(
      {
        kind: 'error',
        status: 400,
        body: { error: { message: "Invalid schema for response_format 'items': …", type: 'invalid_request_error', param: 'response_format', code: null } },
      },
      { kind: 'json', value: { items: [] } },
    );
    await llm.structured(ask, Items, { ...household, name: 'items' });
    const format = body(fake.calls[1])['response_format'] as { type: string; json_schema: { strict: boolean } };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.strict).toBe(false);
  });

  it('passes other rejections through', async () => {
    const llm = makeLlm();
    fake.script({ kind: 'error', status: 404 });
    expect((await rejection(llm.structured(ask, Items, { ...household, name: 'items' }))).code).toBe('llm:rejected');
    expect(fake.calls).toHaveLength(1);
  });
});

describe('daily budget and usage', () => {
  it('refuses without calling when the household has used its budget', async () => {
    const usage = recordingStore(1000);
    const llm = makeLlm({ dailyTokenBudget: 1000 }, { usage: usage.store });
    const error = await rejection(llm.complete(ask, household));
    expect(error.code).toBe('llm:budget');
    expect(error.message).toContain('resets at midnight UTC');
    expect(fake.calls).toHaveLength(0);
  });

  it('records the tokens the server reported, per household', async () => {
    const usage = recordingStore(0);
    const llm = makeLlm({ dailyTokenBudget: 1000 }, { usage: usage.store });
    fake.script({ kind: 'text', content: 'ok', usage: { prompt_tokens: 11, completion_tokens: 7 } });
    await llm.complete(ask, household);
    expect(usage.asked()).toBe(1);
    expect(usage.records).toEqual([{ householdId: 7, promptTokens: 11, completionTokens: 7 }]);
    expect(llm.stats().usage).toEqual({ calls: 1, promptTokens: 11, completionTokens: 7 });
  });

  it('records a repaired structured call as two answered calls, and a failed one as none', async () => {
    const usage = recordingStore(0);
    const llm = makeLlm({}, { usage: usage.store });
    fake.script(
      { kind: 'raw_content', content: '{', usage: { prompt_tokens: 5, completion_tokens: 1 } },
      { kind: 'json', value: { ok: true }, usage: { prompt_tokens: 9, completion_tokens: 3 } },
      { kind: 'error', status: 400 },
    );
    await llm.structured(ask, z.object({ ok: z.boolean() }), { ...household, name: 'ok' });
    await rejection(llm.complete(ask, household));
    expect(usage.records.map((record) => record.promptTokens + record.completionTokens)).toEqual([6, 12]);
  });

  it('keeps the budget in memory per UTC day when no store is given', async () => {
    const clock = createManualClock('2026-01-05T23:59:00Z');
    const llm = makeLlm({ dailyTokenBudget: 30 }, { clock });
    fake.setDefault({ kind: 'text', content: 'ok', usage: { prompt_tokens: 10, completion_tokens: 10 } });
    await llm.complete(ask, household);
    await llm.complete(ask, household);
    expect((await rejection(llm.complete(ask, household))).code).toBe('llm:budget');
    await llm.complete(ask, { householdId: 8 });
    clock.advance(2 * 60_000);
    await expect(llm.complete(ask, household)).resolves.toBe('ok');
    expect(fake.calls).toHaveLength(4);
  });

  it('has a memory store that starts each UTC day empty', async () => {
    const clock = createManualClock('2026-01-05T12:00:00Z');
    const store = createMemoryUsageStore(clock);
    await store.record(1, { promptTokens: 3, completionTokens: 4 });
    expect(await store.usedToday(1)).toBe(7);
    expect(await store.usedToday(2)).toBe(0);
    clock.set('2026-01-06T00:00:00Z');
    expect(await store.usedToday(1)).toBe(0);
  });
});

describe('tools and transcription', () => {
  it('returns the tool calls of one turn', async () => {
    const llm = makeLlm();
    const tool = {
      type: 'function' as const,
      function: { name: 'add_items', parameters: { type: 'object', properties: { items: { type: 'array' } } } },
    };
    fake.script({ kind: 'tool_calls', calls: [{ name: 'add_items', arguments: { items: [{ name: 'milk' }] } }] });
    const message = await llm.tools(ask, [tool], household);
    const call = message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('add_items');
    expect(JSON.parse(call.function.arguments)).toEqual({ items: [{ name: 'milk' }] });
    expect(body(fake.calls[0])['tools']).toEqual([tool]);
  });

  it('transcribes audio with the transcription model', async () => {
    const usage = recordingStore(0);
    const llm = makeLlm({}, { usage: usage.store });
    fake.script({ kind: 'transcription', text: 'add two litres of milk' });
    await expect(llm.transcribe(Buffer.from('OggS…'), 'voice.ogg', household)).resolves.toBe('add two litres of milk');
    expect(fake.calls[0]?.path).toBe('/v1/audio/transcriptions');
    expect(body(fake.calls[0])).toMatchObject({ model: 'whisper-1', file: { name: 'voice.ogg' } });
    expect(usage.records).toEqual([{ householdId: 7, promptTokens: 0, completionTokens: 0 }]);
  });

  it('sends the whole upload again on a retry', async () => {
    const llm = makeLlm({ transcribeModel: 'fake-whisper' });
    fake.script({ kind: 'error', status: 503, retryAfterSeconds: 0 }, { kind: 'transcription', text: 'eggs' });
    await expect(llm.transcribe(Buffer.from('0123456789'), 'v.ogg', household)).resolves.toBe('eggs');
    expect(body(fake.calls[1])).toMatchObject({ model: 'fake-whisper', file: { name: 'v.ogg', size: 10 } });
  });
});

describe('logging', () => {
  it('logs model, status, duration and tokens at info, never the household text', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const llm = makeLlm({}, { log: createLogger({ level: 'info', destination }) });
    fake.script(
      { kind: 'error', status: 500, retryAfterSeconds: 0 },
      { kind: 'text', content: 'secret pickle answer', usage: { prompt_tokens: 12, completion_tokens: 3 } },
    );
    await llm.complete([{ role: 'user', content: 'our secret pickle recipe' }], household);
    const output = lines.join('');
    expect(output).not.toContain('pickle');
    const done = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry['msg'] === 'llm call');
    expect(done).toMatchObject({ model: 'fake-chat', status: 200, attempts: 2, promptTokens: 12, completionTokens: 3, householdId: 7 });
    expect(typeof done?.['ms']).toBe('number');
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-01-05T09:00:00Z');

  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Mon, 05 Jan 2026 09:00:03 GMT' }), now)).toBe(3000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Mon, 05 Jan 2026 08:00:00 GMT' }), now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': '-1' }), now)).toBeUndefined();
  });
});
