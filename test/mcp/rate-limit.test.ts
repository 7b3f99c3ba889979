import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.ts';
import { newRequest } from '../../src/core/context.ts';
import { createLogger } from '../../src/core/log.ts';
import { startHttpServer, type RunningHttpServer } from '../../src/mcp/http.ts';
import { createRateLimiter, DEFAULT_MCP_RPM } from '../../src/core/rate-limit.ts';
import { configSchema } from '../../src/config.ts';
import { testCore, type TestCore } from '../support/core.ts';

describe('createRateLimiter', () => {
  it('allows `limit` requests in any window per key, then says when the next one fits', () => {
    const clock = createManualClock('2026-03-02T09:00:00Z');
    const limiter = createRateLimiter({ limit: 3, windowMs: 60_000, clock });
    expect(limiter.take('a')).toEqual({ allowed: true, remaining: 2 });
    clock.advance(10_000);
    expect(limiter.take('a')).toEqual({ allowed: true, remaining: 1 });
    expect(limiter.take('a')).toEqual({ allowed: true, remaining: 0 });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 50_000, first: true });
    // Another key has a window of its own.
    expect(limiter.take('b')).toMatchObject({ allowed: true });
    clock.advance(20_000);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 30_000, first: false });
    clock.advance(30_000);
    // The first request left the window; refused requests were never counted.
    expect(limiter.take('a')).toEqual({ allowed: true, remaining: 0 });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 10_000, first: true });
  });

  it('never lets more than `limit` through in any window, whatever the spacing', () => {
    const clock = createManualClock('2026-03-02T09:00:00Z');
    const limiter = createRateLimiter({ limit: 5, windowMs: 1_000, clock });
    const allowedAt: number[] = [];
    for (let step = 0; step < 2_000; step++) {
      clock.advance((step * 7919) % 13);
      if (limiter.take('k').allowed) allowedAt.push(clock.now().getTime());
    }
    for (let index = 5; index < allowedAt.length; index++) {
      expect((allowedAt[index] ?? 0) - (allowedAt[index - 5] ?? 0)).toBeGreaterThanOrEqual(1_000);
    }
    expect(allowedAt.length).toBeGreaterThan(20);
  });

  it('forgets idle keys so memory stays bounded', () => {
    const clock = createManualClock('2026-03-02T09:00:00Z');
    const limiter = createRateLimiter({ limit: 1, windowMs: 1_000, clock, maxKeys: 10 });
    for (let key = 0; key < 10; key++) limiter.take(`k${key}`);
    clock.advance(1_000);
    expect(limiter.size).toBe(10);
    for (let key = 10; key < 1_000; key++) {
      limiter.take(`k${key}`);
      expect(limiter.size).toBeLessThanOrEqual(10);
    }
    // k0 was forgotten while idle and starts a fresh window.
    expect(limiter.take('k0')).toMatchObject({ allowed: true });
  });

  it('refuses a limit that is not a whole positive number', () => {
    expect(() => createRateLimiter({ limit: 0 })).toThrow(RangeError);
    expect(() => createRateLimiter({ limit: 1.5 })).toThrow(RangeError);
  });

  it('reads LARDER_MCP_RPM, 120 by default', () => {
    expect(configSchema.parse({}).LARDER_MCP_RPM).toBe(DEFAULT_MCP_RPM);
    expect(DEFAULT_MCP_RPM).toBe(120);
    expect(configSchema.parse({ LARDER_MCP_RPM: '30' }).LARDER_MCP_RPM).toBe(30);
    expect(configSchema.safeParse({ LARDER_MCP_RPM: '0' }).success).toBe(false);
  });
});

describe('per-token rate limit on MCP over HTTP', () => {
  let t: TestCore;
  let server: RunningHttpServer;
  let tokenA: string;
  let tokenB: string;
  let householdId: number;
  const clock = createManualClock('2026-03-02T09:00:00Z');
  const logLines: string[] = [];

  beforeAll(async () => {
    t = await testCore();
    householdId = (await t.core.households.ensure('limited')).id;
    tokenA = (await t.core.tokens.create(householdId)).token;
    tokenB = (await t.core.tokens.create(householdId)).token;
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    server = await startHttpServer({
      core: t.core,
      log: createLogger({ level: 'info', destination }),
      port: 0,
      host: '127.0.0.1',
      rateLimit: { requestsPerMinute: 3, clock },
    });
  });

  afterAll(async () => {
    await server.close();
    await t.close();
  });

  const addItem = (token: string, name: string) =>
    fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add_items', arguments: { items: [{ name }] } } }),
    });

  const listed = async () => (await t.core.lists.get(newRequest(householdId, { door: 'cli', name: 't' }))).items.map((item) => item.name);

  it('answers 429 with Retry-After and a JSON-RPC error past the limit, and runs no tool', async () => {
    for (const name of ['apples', 'bananas', 'cherries']) expect((await addItem(tokenA, name)).status).toBe(200);
    clock.advance(15_000);
    const refused = await addItem(tokenA, 'durian');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('45');
    const body = (await refused.json()) as { jsonrpc: string; error: { code: number; message: string }; id: null };
    expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    expect(body.error.message).toMatch(/Too many requests.*3 requests a minute.*Retry in 45 s/);
    expect(await listed()).not.toContain('durian');
    expect((await addItem(tokenA, 'elderberries')).status).toBe(429);
    // One warning for the burst, not one per refused request.
    expect(logLines.filter((line) => line.includes('rate limit')).length).toBe(1);
  });

  it('limits each token on its own, and lets a token in again once its window has room', async () => {
    // Another token of the same household is not held back by the first one's burst.
    expect((await addItem(tokenB, 'figs')).status).toBe(200);
    clock.advance(45_000);
    expect((await addItem(tokenA, 'grapes')).status).toBe(200);
    expect(await listed()).toEqual(expect.arrayContaining(['apples', 'bananas', 'cherries', 'figs', 'grapes']));
    expect(await listed()).not.toContain('elderberries');
  });

  it('does not count requests that fail authentication against anyone', async () => {
    for (let attempt = 0; attempt < 5; attempt++) expect((await addItem('lrd_' + 'x'.repeat(40), 'nope')).status).toBe(401);
    expect((await addItem(tokenB, 'honeydew')).status).toBe(200);
  });
});
