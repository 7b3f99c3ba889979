/**
 * A fake OpenAI-compatible HTTP server for Larder's tests.
 *
 * Tests of the LLM layer never call a real model and never mock the HTTP
 * client: they start this server on 127.0.0.1 (random port) and point the real
 * `openai` client at it with `baseURL: fake.url`. Replies, latency and failures
 * are scripted per test.
 *
 * Endpoints:
 * - `POST /v1/chat/completions` — answers with the next scripted step (or the
 *   default). Only `stream: false` is supported: `stream: true` gets a 400, so
 *   a streaming call in Larder shows up instead of hanging.
 * - `POST /v1/audio/transcriptions` — consumes the multipart upload and answers
 *   `{ text }` from a `transcription` step; shares the script queue.
 * - `GET /v1/models` — a fixed model list; never consumes the queue.
 * - anything else — 404 with an OpenAI-style error body.
 *
 * @example
 * const fake = await startFakeOpenAi();
 * const client = new OpenAI({ baseURL: fake.url, apiKey: 'test', maxRetries: 0 });
 * fake.script({ kind: 'json', value: { items: ['milk'] } });
 * // … exercise Larder's LLM adapter, then:
 * expect(fake.calls).toHaveLength(1);
 * await fake.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

// Captured at load so a test that fakes timers (vi.useFakeTimers) does not freeze the server.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realNow = (): number => performance.timeOrigin + performance.now();

/** Token counts reported on a completion; missing ones are estimated from text length. */
export interface FakeUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

/** Fields every step may carry. */
interface StepBase {
  /** Delay before answering, overriding the server-wide `latencyMs`. */
  latencyMs?: number;
}

/** Fields of steps that answer with a chat completion. */
interface CompletionStepBase extends StepBase {
  usage?: FakeUsage;
  /** `'length'` imitates a reply cut off by `max_tokens`. Defaults to `'stop'`. */
  finishReason?: 'stop' | 'length' | 'content_filter';
}

/** A chat completion whose assistant message is `content`. */
export interface FakeTextStep extends CompletionStepBase {
  kind: 'text';
  content: string;
}

/** A chat completion whose content is `JSON.stringify(value)` (structured outputs). */
export interface FakeJsonStep extends CompletionStepBase {
  kind: 'json';
  value: unknown;
}

/** A chat completion with arbitrary content, e.g. malformed JSON like `{"items": [`. */
export interface FakeRawContentStep extends CompletionStepBase {
  kind: 'raw_content';
  content: string;
}

/** One function call the assistant asks for; a string `arguments` is sent verbatim (may be invalid JSON). */
export interface FakeToolCall {
  name: string;
  arguments: Record<string, unknown> | string;
}

/** A chat completion whose assistant message carries `tool_calls` (`finish_reason: 'tool_calls'`). */
export interface FakeToolCallsStep extends StepBase {
  kind: 'tool_calls';
  calls: FakeToolCall[];
  usage?: FakeUsage;
}

/** HTTP statuses a scripted error may use. */
export type FakeErrorStatus = 400 | 401 | 403 | 404 | 408 | 409 | 422 | 429 | 500 | 502 | 503 | 504;

/** An HTTP error with an OpenAI-style JSON body, and `Retry-After` when given. */
export interface FakeErrorStep extends StepBase {
  kind: 'error';
  status: FakeErrorStatus;
  retryAfterSeconds?: number;
  /** Replaces the default body: a string is sent as is, anything else as JSON. */
  body?: unknown;
}

/** Never answers, until the client aborts or the server closes. */
export interface FakeHangStep extends StepBase {
  kind: 'hang';
}

/** A 200 whose body is not JSON at all (a broken proxy, a captive portal). */
export interface FakeMalformedHttpStep extends StepBase {
  kind: 'malformed_http';
  /** Defaults to `<html><body>Bad gateway</body></html>`. */
  body?: string;
  /** Defaults to `application/json`, so the client tries, and fails, to parse it. */
  contentType?: string;
}

/** The answer of `POST /v1/audio/transcriptions`. */
export interface FakeTranscriptionStep extends StepBase {
  kind: 'transcription';
  text: string;
}

/** One scripted answer. */
export type FakeStep =
  | FakeTextStep
  | FakeJsonStep
  | FakeRawContentStep
  | FakeToolCallsStep
  | FakeErrorStep
  | FakeHangStep
  | FakeMalformedHttpStep
  | FakeTranscriptionStep;

/** Picks the answer for a request when the script queue is empty. */
export type FakeResponder = (call: RecordedCall) => FakeStep;

/** One request the fake received. */
export interface RecordedCall {
  /** Arrival order since start or the last `reset()`, from 0. */
  index: number;
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Request headers, lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The `Authorization` header, e.g. `Bearer test`. */
  authorization: string | undefined;
  /**
   * The parsed body: JSON for chat completions; for a transcription the form
   * fields plus `file: { name, size, type }`; `undefined` when there was none
   * or it did not parse.
   */
  body: unknown;
  /** Epoch milliseconds (sub-millisecond precision) when the request arrived. */
  receivedAt: number;
  /** When the answer was sent; `undefined` while pending, hung or aborted. */
  answeredAt: number | undefined;
  /** HTTP status answered; `undefined` while pending, hung or aborted. */
  status: number | undefined;
  /** The step that answered (scripted or default); `undefined` for non-scripted answers. */
  step: FakeStep | undefined;
  /** True when the client went away before an answer. */
  aborted: boolean;
}

/** A running fake; see {@link startFakeOpenAi}. */
export interface FakeOpenAi {
  /** Base URL to give the `openai` client, e.g. `http://127.0.0.1:PORT/v1`. */
  readonly url: string;
  /** Every request since start or the last `reset()`; the same array throughout. */
  readonly calls: RecordedCall[];
  /** The most requests being handled at the same moment since start or `reset()`. */
  readonly maxInFlight: number;
  /** Requests being handled now (including hung ones). */
  readonly inFlight: number;
  /** Queues answers, consumed in order by chat completions and transcriptions. */
  script(...steps: FakeStep[]): void;
  /** The answer when the queue is empty: a fixed step or a function of the request. */
  setDefault(step: FakeStep | FakeResponder): void;
  /** Forgets calls, the queue and the default; `maxInFlight` restarts from `inFlight`. */
  reset(): void;
  /** Ends hung requests, drops keep-alive sockets and stops listening. */
  close(): Promise<void>;
}

/** Options of {@link startFakeOpenAi}. */
export interface FakeOpenAiOptions {
  /** Delay before every answer, unless a step sets its own. Default 0. */
  latencyMs?: number;
  /** Ids listed by `GET /v1/models`. Default `['fake-chat', 'whisper-1']`. */
  models?: string[];
  /** When set, requests without `Authorization: Bearer <key>` get a 401. */
  requireApiKey?: string;
}

/**
 * The text of the last user message of a chat completion request, or `''`.
 * Array contents are joined from their text parts.
 *
 * @example
 * fake.setDefault((call) => ({
 *   kind: 'json',
 *   value: { aisle: lastUserText(call).includes('milk') ? 'dairy' : 'other' },
 * }));
 */
export function lastUserText(call: RecordedCall): string {
  const parsed = chatRequestSchema.safeParse(call.body);
  if (!parsed.success) return '';
  const user = parsed.data.messages.filter((m) => m.role === 'user').at(-1);
  return user === undefined ? '' : contentText(user.content);
}

// Loose on purpose: enough to catch a Larder client bug, not a copy of the OpenAI schema.
const messageSchema = z
  .looseObject({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
    content: z.union([z.string(), z.array(z.looseObject({ type: z.string() })), z.null()]).optional(),
    tool_call_id: z.string().optional(),
  })
  .refine((m) => m.role !== 'tool' || typeof m.tool_call_id === 'string', {
    message: "a message with role 'tool' needs a tool_call_id",
  })
  .refine((m) => m.role === 'assistant' || m.content !== undefined, {
    message: 'content is required unless role is assistant',
  });

const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  stream: z.boolean().nullish(),
});

const transcriptionRequestSchema = z.looseObject({
  model: z.string().min(1),
  file: z.object({ name: z.string(), size: z.number(), type: z.string() }),
  response_format: z.enum(['json', 'text', 'srt', 'verbose_json', 'vtt']).optional(),
});

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string' ? part.text : '',
    )
    .filter((text) => text !== '')
    .join('\n');
}

// Roughly four characters a token, like OpenAI's rule of thumb; at least 1 so sums are never 0.
function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

const builtInDefault: FakeResponder = (call) =>
  call.path === '/v1/audio/transcriptions'
    ? { kind: 'transcription', text: 'fake transcription' }
    : { kind: 'text', content: `echo: ${lastUserText(call)}` };

const errorDefaults: Record<FakeErrorStatus, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Bad request.' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Forbidden.' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist.' },
  408: { type: 'server_error', code: null, message: 'Request timed out.' },
  409: { type: 'invalid_request_error', code: null, message: 'Conflict.' },
  422: { type: 'invalid_request_error', code: null, message: 'Unprocessable entity.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached. Please try again later.' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request.' },
  502: { type: 'server_error', code: null, message: 'Bad gateway.' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' },
  504: { type: 'server_error', code: null, message: 'Gateway timeout.' },
};

function openAiError(message: string, type: string, code: string | null, param: string | null = null): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

function invalidRequest(message: string, code: string | null, param: string | null = null): string {
  return openAiError(message, 'invalid_request_error', code, param);
}

function bodyField(call: RecordedCall, key: string): unknown {
  return typeof call.body === 'object' && call.body !== null ? (call.body as Record<string, unknown>)[key] : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Starts a fake OpenAI-compatible server on 127.0.0.1 with a random port.
 *
 * @example
 * const fake = await startFakeOpenAi({ latencyMs: 20 });
 * fake.script({ kind: 'error', status: 429, retryAfterSeconds: 0 }, { kind: 'text', content: 'ok' });
 */
export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const serverLatencyMs = options.latencyMs ?? 0;
  const models = options.models ?? ['fake-chat', 'whisper-1'];
  const calls: RecordedCall[] = [];
  const queue: FakeStep[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let responder: FakeResponder = builtInDefault;
  let inFlight = 0;
  let maxInFlight = 0;
  let nextIndex = 0;
  let nextId = 0;
  let closing: Promise<void> | undefined;

  const newId = (prefix: string): string => `${prefix}_fake${(nextId++).toString().padStart(6, '0')}`;

  function send(
    res: ServerResponse,
    call: RecordedCall,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ): void {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-request-id': newId('req'),
      ...headers,
    });
    res.end(body);
    call.status = status;
    call.answeredAt = realNow();
  }

  // A bug in a test (wrong step for the endpoint, a throwing responder): 500 the SDK will not retry.
  function sendFakeError(res: ServerResponse, call: RecordedCall, message: string): void {
    send(res, call, 500, openAiError(`fake-openai: ${message}`, 'fake_openai_error', 'fake_openai_error'), {
      'x-should-retry': 'false',
    });
  }

  function usageFor(call: RecordedCall, completionText: string, usage: FakeUsage | undefined) {
    const prompt_tokens = usage?.prompt_tokens ?? estimateTokens(JSON.stringify(bodyField(call, 'messages') ?? []));
    const completion_tokens = usage?.completion_tokens ?? estimateTokens(completionText);
    return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
  }

  function completion(
    call: RecordedCall,
    message: Record<string, unknown>,
    finishReason: string,
    completionText: string,
    usage: FakeUsage | undefined,
  ): string {
    return JSON.stringify({
      id: newId('chatcmpl'),
      object: 'chat.completion',
      created: Math.floor(realNow() / 1000),
      model: bodyField(call, 'model') ?? 'fake',
      choices: [{ index: 0, message: { refusal: null, ...message }, logprobs: null, finish_reason: finishReason }],
      usage: usageFor(call, completionText, usage),
      system_fingerprint: 'fp_larder_fake',
    });
  }

  function answer(res: ServerResponse, call: RecordedCall, step: FakeStep, endpoint: 'chat' | 'transcription'): void {
    switch (step.kind) {
      case 'hang':
        return; // close() or the client's abort ends it.
      case 'error': {
        const d = errorDefaults[step.status];
        const body =
          step.body === undefined
            ? openAiError(d.message, d.type, d.code)
            : typeof step.body === 'string'
              ? step.body
              : JSON.stringify(step.body);
        const headers: Record<string, string> =
          step.retryAfterSeconds === undefined ? {} : { 'retry-after': String(step.retryAfterSeconds) };
        send(res, call, step.status, body, headers);
        return;
      }
      case 'malformed_http':
        send(res, call, 200, step.body ?? '<html><body>Bad gateway</body></html>', {
          'content-type': step.contentType ?? 'application/json',
        });
        return;
      case 'transcription': {
        if (endpoint !== 'transcription') {
          sendFakeError(res, call, "a 'transcription' step reached /v1/chat/completions; check the script order");
          return;
        }
        const parsed = transcriptionRequestSchema.safeParse(call.body);
        const format = parsed.success ? (parsed.data.response_format ?? 'json') : 'json';
        if (format === 'json') send(res, call, 200, JSON.stringify({ text: step.text }));
        else if (format === 'verbose_json') {
          const verbose = { task: 'transcribe', language: 'english', duration: 1, text: step.text, segments: [] };
          send(res, call, 200, JSON.stringify(verbose));
        }
        else send(res, call, 200, step.text, { 'content-type': 'text/plain; charset=utf-8' });
        return;
      }
    }
    if (endpoint !== 'chat') {
      sendFakeError(res, call, `a '${step.kind}' step reached /v1/audio/transcriptions; check the script order`);
      return;
    }
    switch (step.kind) {
      case 'text':
      case 'raw_content':
      case 'json': {
        const content = step.kind === 'json' ? JSON.stringify(step.value) : step.content;
        const message = { role: 'assistant', content };
        send(res, call, 200, completion(call, message, step.finishReason ?? 'stop', content, step.usage));
        return;
      }
      case 'tool_calls': {
        const toolCalls = step.calls.map((c) => ({
          id: newId('call'),
          type: 'function',
          function: {
            name: c.name,
            arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
          },
        }));
        const text = toolCalls.map((c) => c.function.name + c.function.arguments).join('');
        const message = { role: 'assistant', content: null, tool_calls: toolCalls };
        send(res, call, 200, completion(call, message, 'tool_calls', text, step.usage));
        return;
      }
    }
  }

  function nextStep(call: RecordedCall): FakeStep {
    return queue.shift() ?? responder(call);
  }

  // Answers after the step's latency; a client that left meanwhile gets nothing.
  function answerLater(res: ServerResponse, call: RecordedCall, endpoint: 'chat' | 'transcription'): void {
    let step: FakeStep;
    try {
      step = nextStep(call);
    } catch (error) {
      sendFakeError(res, call, `the default responder threw: ${messageOf(error)}`);
      return;
    }
    call.step = step;
    const delay = step.latencyMs ?? serverLatencyMs;
    if (delay <= 0) {
      answer(res, call, step, endpoint);
      return;
    }
    const timer = realSetTimeout(() => {
      timers.delete(timer);
      answer(res, call, step, endpoint);
    }, delay);
    timers.add(timer);
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async function parseMultipart(raw: Buffer, contentType: string): Promise<Record<string, unknown> | undefined> {
    try {
      // undici's Response parses multipart/form-data, so no form library is needed.
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      const fields: Record<string, unknown> = {};
      for (const [name, value] of form.entries()) {
        fields[name] = typeof value === 'string' ? value : { name: value.name, size: value.size, type: value.type };
      }
      return fields;
    } catch {
      return undefined;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, call: RecordedCall): Promise<void> {
    const raw = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    const route = `${call.method} ${call.path}`;

    if (options.requireApiKey !== undefined && call.authorization !== `Bearer ${options.requireApiKey}`) {
      send(res, call, 401, invalidRequest('Incorrect API key provided.', 'invalid_api_key'));
      return;
    }

    if (route === 'POST /v1/chat/completions') {
      try {
        call.body = JSON.parse(raw.toString('utf8')) as unknown;
      } catch {
        send(res, call, 400, invalidRequest('We could not parse the JSON body of your request.', null));
        return;
      }
      const parsed = chatRequestSchema.safeParse(call.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const param = issue?.path.join('.') ?? null;
        send(res, call, 400, invalidRequest(`Invalid request: ${z.prettifyError(parsed.error)}`, 'invalid_value', param));
        return;
      }
      if (parsed.data.stream === true) {
        send(res, call, 400, invalidRequest('fake-openai supports stream: false only.', 'unsupported_value', 'stream'));
        return;
      }
      answerLater(res, call, 'chat');
      return;
    }

    if (route === 'POST /v1/audio/transcriptions') {
      call.body = contentType.startsWith('multipart/form-data') ? await parseMultipart(raw, contentType) : undefined;
      const parsed = transcriptionRequestSchema.safeParse(call.body);
      if (!parsed.success) {
        const message = `Invalid transcription request: ${z.prettifyError(parsed.error)}`;
        send(res, call, 400, invalidRequest(message, 'invalid_value'));
        return;
      }
      answerLater(res, call, 'transcription');
      return;
    }

    if (route === 'GET /v1/models') {
      const data = models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'larder-fake' }));
      send(res, call, 200, JSON.stringify({ object: 'list', data }));
      return;
    }

    send(res, call, 404, invalidRequest(`Unknown request URL: ${route}.`, 'unknown_url'));
  }

  const server = createServer((req, res) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const call: RecordedCall = {
      index: nextIndex++,
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://fake').pathname,
      headers,
      authorization: headers['authorization'],
      body: undefined,
      receivedAt: realNow(),
      answeredAt: undefined,
      status: undefined,
      step: undefined,
      aborted: false,
    };
    calls.push(call);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // 'close' fires once, after the answer or when the client leaves, so the count stays exact.
    res.on('close', () => {
      inFlight--;
      if (call.answeredAt === undefined) call.aborted = true;
    });
    handle(req, res, call).catch((error: unknown) => {
      // A client that disconnects mid-upload ends here; otherwise tell the test loudly.
      if (!res.destroyed) sendFakeError(res, call, `internal error: ${messageOf(error)}`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
    get inFlight() {
      return inFlight;
    },
    script(...steps) {
      queue.push(...steps);
    },
    setDefault(step) {
      responder = typeof step === 'function' ? step : () => step;
    },
    reset() {
      // Same array, so a test holding `fake.calls` keeps seeing the live list.
      calls.length = 0;
      queue.length = 0;
      responder = builtInDefault;
      nextIndex = 0;
      maxInFlight = inFlight;
    },
    close() {
      closing ??= (async () => {
        for (const timer of timers) realClearTimeout(timer);
        timers.clear();
        const closed = new Promise<void>((resolve, reject) => {
          server.close((error) => (error ? reject(error) : resolve()));
        });
        // Hung requests and idle keep-alive sockets would otherwise hold close() and vitest open.
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
