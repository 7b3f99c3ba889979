import OpenAI, { toFile } from 'openai';
import { zodFunction, zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lastUserText, startFakeOpenAi, type FakeOpenAi } from './fake-openai.ts';

const model = 'fake-chat';
const userSays = (content: string) => ({ model, messages: [{ role: 'user' as const, content }] });

describe('fake OpenAI server', () => {
  let fake: FakeOpenAi;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    client = new OpenAI({ baseURL: fake.url, apiKey: 'test', maxRetries: 0 });
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());

  it('answers a scripted text reply with usage and records the call', async () => {
    fake.script({ kind: 'text', content: 'Milk is on the list.', usage: { prompt_tokens: 12, completion_tokens: 5 } });

    const completion = await client.chat.completions.create(userSays('add milk'));

    expect(completion.choices[0]?.message.content).toBe('Milk is on the list.');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.model).toBe(model);
    expect(completion.usage).toEqual({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(fake.calls).toHaveLength(1);
    const call = fake.calls[0];
    if (call === undefined) throw new Error('no call recorded');
    expect(call).toMatchObject({ method: 'POST', path: '/v1/chat/completions', authorization: 'Bearer test', status: 200 });
    expect(call.body).toMatchObject(userSays('add milk'));
    expect(lastUserText(call)).toBe('add milk');
  });

  it('estimates usage when the step gives none', async () => {
    const completion = await client.chat.completions.create(userSays('what is in the pantry?'));

    expect(completion.choices[0]?.message.content).toBe('echo: what is in the pantry?');
    const usage = completion.usage;
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
  });

  it('answers a json reply that the SDK parses against a zod response format', async () => {
    const Items = z.object({ items: z.array(z.object({ name: z.string(), quantity: z.number() })) });
    fake.script({ kind: 'json', value: { items: [{ name: 'eggs', quantity: 12 }] } });

    const completion = await client.chat.completions.parse({
      ...userSays('12 eggs'),
      response_format: zodResponseFormat(Items, 'items'),
    });

    expect(completion.choices[0]?.message.parsed).toEqual({ items: [{ name: 'eggs', quantity: 12 }] });
    expect(fake.calls[0]?.body).toMatchObject({ response_format: { type: 'json_schema' } });
  });

  it('sends raw content as is, e.g. truncated JSON', async () => {
    fake.script({ kind: 'raw_content', content: '{"items": [', finishReason: 'length' });

    const completion = await client.chat.completions.create(userSays('list'));

    expect(completion.choices[0]?.message.content).toBe('{"items": [');
    expect(completion.choices[0]?.finish_reason).toBe('length');
  });

  it('answers tool_calls that the SDK parses', async () => {
    const addItem = zodFunction({ name: 'add_item', parameters: z.object({ name: z.string(), quantity: z.number() }) });
    fake.script({
      kind: 'tool_calls',
      calls: [
        { name: 'add_item', arguments: { name: 'butter', quantity: 1 } },
        { name: 'add_item', arguments: '{"name":"flour","quantity":2}' },
      ],
    });

    const completion = await client.chat.completions.parse({ ...userSays('butter and flour'), tools: [addItem] });

    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const toolCalls = choice?.message.tool_calls ?? [];
    expect(toolCalls).toHaveLength(2);
    const parsed = toolCalls.map((c) => (c.type === 'function' ? c.function.parsed_arguments : undefined));
    expect(parsed).toEqual([
      { name: 'butter', quantity: 1 },
      { name: 'flour', quantity: 2 },
    ]);
    expect(new Set(toolCalls.map((c) => c.id)).size).toBe(2);
  });

  it('surfaces a 429 with Retry-After as RateLimitError', async () => {
    fake.script({ kind: 'error', status: 429, retryAfterSeconds: 7 });

    const error = await client.chat.completions.create(userSays('hi')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.headers?.get('retry-after')).toBe('7');
    expect(rateLimit.code).toBe('rate_limit_exceeded');
  });

  it('lets the SDK retry after a 429 and then succeed', async () => {
    const retrying = new OpenAI({ baseURL: fake.url, apiKey: 'test', maxRetries: 2 });
    fake.script({ kind: 'error', status: 429, retryAfterSeconds: 0 }, { kind: 'text', content: 'ok' });

    const completion = await retrying.chat.completions.create(userSays('hi'));

    expect(completion.choices[0]?.message.content).toBe('ok');
    expect(fake.calls.map((c) => c.status)).toEqual([429, 200]);
  });

  it('surfaces a 500 as InternalServerError with an OpenAI-style body', async () => {
    fake.script({ kind: 'error', status: 500 });

    const error = await client.chat.completions.create(userSays('hi')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.InternalServerError>).error).toMatchObject({ type: 'server_error' });
  });

  it('hangs until the client times out', async () => {
    fake.script({ kind: 'hang' });

    const error = await client.chat.completions.create(userSays('hi'), { timeout: 200 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await expect.poll(() => fake.inFlight).toBe(0);
    expect(fake.calls[0]).toMatchObject({ aborted: true, status: undefined, answeredAt: undefined });
  });

  it('answers a 200 whose body is not JSON', async () => {
    fake.script({ kind: 'malformed_http' });

    await expect(client.chat.completions.create(userSays('hi'))).rejects.toThrow(SyntaxError);
    expect(fake.calls[0]?.status).toBe(200);
  });

  it('waits the scripted latency before answering', async () => {
    fake.script({ kind: 'text', content: 'slow', latencyMs: 120 });

    const started = performance.now();
    await client.chat.completions.create(userSays('hi'));
    const elapsed = performance.now() - started;

    const call = fake.calls[0];
    expect(elapsed).toBeGreaterThanOrEqual(115);
    expect((call?.answeredAt ?? 0) - (call?.receivedAt ?? 0)).toBeGreaterThanOrEqual(115);
  });

  // Timing-bound: under heavy machine load 20 arrivals can spread past 50 ms, hence the retries.
  it('handles 20 parallel requests at once', { retry: 2 }, async () => {
    fake.setDefault({ kind: 'text', content: 'parallel', latencyMs: 50 });

    const requests = Array.from({ length: 20 }, (_, i) => client.chat.completions.create(userSays(`item ${i}`)));
    const replies = await Promise.all(requests);

    expect(replies.every((r) => r.choices[0]?.message.content === 'parallel')).toBe(true);
    expect(fake.maxInFlight).toBe(20);
    expect(fake.inFlight).toBe(0);
  });

  it('answers from a responder function that reads the prompt', async () => {
    fake.setDefault((call) => ({
      kind: 'json',
      value: { aisle: lastUserText(call).includes('milk') ? 'dairy' : 'other' },
    }));

    const aisles = await Promise.all(
      ['milk', 'nails'].map(async (item) => {
        const c = await client.chat.completions.create(userSays(item));
        return JSON.parse(c.choices[0]?.message.content ?? 'null') as unknown;
      }),
    );

    expect(aisles).toEqual([{ aisle: 'dairy' }, { aisle: 'other' }]);
  });

  it('consumes a multipart upload and answers a transcription', async () => {
    fake.script({ kind: 'transcription', text: 'add two lemons' });

    const transcription = await client.audio.transcriptions.create({
      file: await toFile(Buffer.from('fake'), 'voice.ogg'),
      model: 'whisper-1',
    });

    expect(transcription.text).toBe('add two lemons');
    expect(fake.calls[0]).toMatchObject({
      path: '/v1/audio/transcriptions',
      body: { model: 'whisper-1', file: { name: 'voice.ogg', size: 4 } },
    });
  });

  it('rejects an invalid chat body with a 400 so client bugs show up', async () => {
    // The cast lets through what Larder's own types would catch, to see what the fake does with it.
    const toolMessage = { role: 'tool', content: 'result' } as OpenAI.ChatCompletionMessageParam;
    const bad = { model, messages: [toolMessage] };

    const error = await client.chat.completions.create(bad).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('tool_call_id');
    expect(fake.calls[0]?.step).toBeUndefined();
  });

  it('rejects stream: true, which the fake does not support', async () => {
    await expect(client.chat.completions.create({ ...userSays('hi'), stream: true })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
  });

  it('lists models and answers 404 on unknown paths', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['fake-chat', 'whisper-1']);

    const error = await client.embeddings.create({ model, input: 'milk' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('fails loudly when a step does not fit the endpoint', async () => {
    fake.script({ kind: 'transcription', text: 'oops' });

    const error = await client.chat.completions.create(userSays('hi')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as Error).message).toContain("'transcription' step reached /v1/chat/completions");
  });
});

describe('closing the fake', () => {
  it('ends a hung request quickly', async () => {
    const fake = await startFakeOpenAi();
    const client = new OpenAI({ baseURL: fake.url, apiKey: 'test', maxRetries: 0 });
    fake.script({ kind: 'hang' });
    const pending = client.chat.completions.create(userSays('hi')).catch((e: unknown) => e);
    await expect.poll(() => fake.inFlight).toBe(1);

    const started = performance.now();
    await fake.close();

    expect(performance.now() - started).toBeLessThan(500);
    expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('checks the API key when asked to', async () => {
    const fake = await startFakeOpenAi({ requireApiKey: 'sk-larder' });
    try {
      const wrong = new OpenAI({ baseURL: fake.url, apiKey: 'nope', maxRetries: 0 });
      await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      const right = new OpenAI({ baseURL: fake.url, apiKey: 'sk-larder', maxRetries: 0 });
      await expect(right.models.list()).resolves.toBeDefined();
    } finally {
      await fake.close();
    }
  });
});
