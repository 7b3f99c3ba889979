import http from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.ts';
import { createLogger, REDACTED_PATHS } from '../../src/core/log.ts';
import { startHttpServer, type RunningHttpServer } from '../../src/mcp/http.ts';
import { testCore, type TestCore } from '../support/core.ts';

/** A logger whose lines land in an array instead of stderr. */
function capturedLogger(level = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter((line) => line !== ''));
      done();
    },
  });
  return { log: createLogger({ level, destination }), lines };
}

const TOKEN = 'lrd_SECRETsecretSECRETsecretSECRETsecret42';
const MESSAGE = 'please buy the pregnancy test and hide it from mum';

describe('log redaction', () => {
  it('blanks tokens, Authorization headers, API keys and message text in whatever log line carries them', () => {
    const { log, lines } = capturedLogger();
    log.info({ token: TOKEN }, 'a token at the top');
    log.info({ auth: { token: TOKEN } }, 'a token one level down');
    log.info({ authorization: `Bearer ${TOKEN}` }, 'a header on its own');
    log.info({ headers: { authorization: `Bearer ${TOKEN}` } }, 'headers');
    log.info({ req: { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, host: 'localhost' } } }, 'a request');
    log.warn({ apiKey: TOKEN, llm: { apiKey: TOKEN } }, 'llm settings');
    log.info({ text: MESSAGE }, 'a message');
    log.info({ message: { text: MESSAGE, chatId: 42 } }, 'a Telegram message');
    log.error({ reply: { text: MESSAGE } }, 'a reply that failed');
    log.child({ token: TOKEN }).info('a child logger bound to a token');

    expect(lines).toHaveLength(10);
    for (const line of lines) {
      expect(line).not.toContain('SECRETsecret');
      expect(line).not.toContain('pregnancy');
      expect(line).toContain('[redacted]');
    }
    // What is not secret stays readable.
    expect(JSON.parse(lines[4] ?? '{}')).toMatchObject({ req: { method: 'POST', headers: { host: 'localhost', authorization: '[redacted]' } } });
    expect(JSON.parse(lines[7] ?? '{}')).toMatchObject({ message: { chatId: 42, text: '[redacted]' }, msg: 'a Telegram message' });
  });

  it('covers the paths the threat model names', () => {
    expect(REDACTED_PATHS).toEqual(expect.arrayContaining(['token', '*.token', 'authorization', '*.authorization', 'req.headers.authorization', 'text', '*.text', 'apiKey']));
  });
});

describe('the HTTP server and its logs', () => {
  let t: TestCore;
  let server: RunningHttpServer;
  let token: string;
  const captured = capturedLogger('trace');

  beforeAll(async () => {
    t = await testCore();
    token = (await t.core.tokens.create((await t.core.households.ensure('quiet')).id)).token;
    server = await startHttpServer({
      core: t.core,
      log: captured.log,
      port: 0,
      host: '127.0.0.1',
      rateLimit: { requestsPerMinute: 6, clock: createManualClock('2026-03-02T09:00:00Z') },
      // A route that fails, so the error path logs too.
      extraRoutes: async (req) => {
        if (req.url === '/boom') throw new Error('something broke');
        return false;
      },
    });
  });

  afterAll(async () => {
    await server.close();
    await t.close();
  });

  const post = (headers: Record<string, string>, body: string, target = '/mcp') =>
    fetch(`${server.url}${target}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body,
    });
  const call = (name: string, args: Record<string, unknown>) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });

  it('never logs the Authorization header or the token, on any path: success, tool error, 401, 403, 405, 413, 429, 500', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const statuses: number[] = [];
    const record = async (response: Promise<Response>) => {
      const answer = await response;
      await answer.arrayBuffer();
      statuses.push(answer.status);
    };
    await record(post(auth, call('add_items', { items: [{ name: 'milk' }] })));
    await record(post(auth, call('add_items', { items: [{ name: '' }] })));
    await record(post(auth, call('get_recipe', { recipe: 'nothing like it' })));
    await record(post(auth, '{not json'));
    await record(post({ authorization: `Bearer ${token}x` }, call('get_list', {})));
    await record(post({ authorization: `Bearer ${token}`, origin: 'https://evil.example' }, call('get_list', {})));
    await record(fetch(`${server.url}/mcp`, { headers: auth }));
    await record(post(auth, JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 10) })));
    await record(post(auth, call('get_list', {})));
    await record(post(auth, call('get_list', {})));
    await record(post(auth, '{}', '/boom'));
    // A raw request with a foreign Host header (DNS rebinding), which the server logs as refused.
    await new Promise<void>((resolve, reject) => {
      const req = http.request(`${server.url}/mcp`, { method: 'POST', headers: { host: 'attacker.example', ...auth } }, (res) => {
        res.resume();
        statuses.push(res.statusCode ?? 0);
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(statuses).toEqual([200, 200, 200, 400, 401, 403, 405, 413, 429, 429, 500, 403]);

    const logged = captured.lines.join('\n');
    // The server did log these events (so the check below is not vacuous)…
    expect(logged).toMatch(/refused a request from a host that is not allowed/);
    expect(logged).toMatch(/MCP rate limit reached/);
    expect(logged).toMatch(/HTTP request failed/);
    // …and none of them carries the credential.
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(token.slice(12, 30));
    expect(logged.toLowerCase()).not.toContain('bearer');
  });
});
