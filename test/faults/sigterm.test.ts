/**
 * SIGTERM while requests are in flight: `larder serve` stops taking new connections at once,
 * finishes what it has (acknowledged → there after a restart), closes the database and exits 0
 * within seconds, leaving a PGlite folder that opens again with no lock behind.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { startHttpServer } from '../../src/mcp/http.ts';
import { testCore } from '../support/core.ts';
import {
  callOk,
  callTool,
  createToken,
  historyDisagreements,
  listItems,
  faultSetup,
  FAULT_TARGETS,
  sleep,
  startServe,
  wholeHistory,
  type CallOutcome,
} from '../support/faults.ts';

/** Opens a TCP connection to the port: true when accepted, false when refused. */
function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A tools/call whose body arrives in two halves on a connection of its own: between them the
 * server holds the request in hand, half read.
 */
function slowCall(url: string, token: string, name: string, args: Record<string, unknown>) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }));
  const half = Math.floor(body.length / 2);
  let settled = false;
  let sendRest: () => void = () => undefined;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(`${url}/mcp`, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${token}`,
        'content-length': String(body.length),
      },
    });
    request.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        settled = true;
        resolve({ status: res.statusCode ?? 0, body: text });
      });
    });
    request.on('error', (error) => {
      settled = true;
      reject(error);
    });
    request.write(body.subarray(0, half));
    sendRest = () => request.end(body.subarray(half));
  });
  return { response, sendRest: () => sendRest(), settled: () => settled };
}

const BURST_CALLS = 60;
const BURST_CONCURRENCY = 8;
const burstNames = (call: number) => [`term ${call} a`, `term ${call} b`];

describe.each(FAULT_TARGETS)('SIGTERM with requests in flight ($name)', ({ kind }) => {
  it('finishes them, refuses new connections, closes the database and exits 0', { timeout: 180_000 }, async () => {
    const setup = await faultSetup(kind, 'larder-sigterm-');
    const { env, lockFile, servers } = setup;
    try {
      const token = await createToken(env);
      const server = await startServe(env);
      servers.push(server);
      await callOk(server.url, token, 'add_items', { items: [{ name: 'before the signal' }] });
      if (kind === 'pglite') expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(server.pid));

      // A request the server has in hand (half its body read) when the signal comes.
      const slow = slowCall(server.url, token, 'add_items', { items: [{ name: 'slow one', quantity: '3' }, { name: 'slow two' }] });
      await sleep(500);

      // A burst of writes on keep-alive connections, going on while the signal comes.
      const acked = new Set<number>();
      const failed: Array<{ call: number; outcome: CallOutcome }> = [];
      let next = 0;
      let onFifthAck: () => void = () => undefined;
      const fifthAck = new Promise<void>((resolve) => (onFifthAck = resolve));
      const worker = async () => {
        for (let call = next++; call < BURST_CALLS; call = next++) {
          const outcome = await callTool(server.url, token, 'add_items', { items: burstNames(call).map((name) => ({ name })) }, call + 1);
          if (outcome.kind === 'ok') {
            acked.add(call);
            if (acked.size === 5) onFifthAck();
          } else {
            failed.push({ call, outcome });
          }
        }
      };
      const burst = Promise.all(Array.from({ length: BURST_CONCURRENCY }, worker));
      await fifthAck;

      const signalledAt = Date.now();
      server.child.kill('SIGTERM');
      // New connections are refused soon after, while the half-read request is still open.
      let refusedAfter = -1;
      while (Date.now() - signalledAt < 3000) {
        if (!(await canConnect(server.port))) {
          refusedAfter = Date.now() - signalledAt;
          break;
        }
        await sleep(25);
      }
      expect(refusedAfter, 'new connections are refused within 3 s of SIGTERM').toBeGreaterThanOrEqual(0);
      expect(slow.settled()).toBe(false);
      await burst;
      // Still in flight, still unanswered, and the process has not gone away under it.
      await sleep(500);
      expect(slow.settled()).toBe(false);

      slow.sendRest();
      const answer = await slow.response;
      const answeredAt = Date.now();
      expect(answer.status).toBe(200);
      const message = JSON.parse(answer.body) as { result?: { isError?: boolean; structuredContent?: { items: unknown[] } } };
      expect(message.result?.isError).toBeFalsy();
      expect(message.result?.structuredContent?.items).toHaveLength(2);

      // Closing the database (PGlite writes a checkpoint) takes a moment, longer on a busy machine.
      const exit = await Promise.race([server.exited, sleep(8000).then(() => null)]);
      expect(exit, `larder serve did not exit within 8 s of its last request: ${server.stderr()}`).toEqual({ code: 0, signal: null });
      expect(Date.now() - answeredAt).toBeLessThan(8000);
      expect(server.stderr()).not.toMatch(/Unexpected error|HTTP request failed|"level":50/);
      // Every burst call was either answered in full or never got through: no error answers.
      for (const { outcome } of failed) expect(outcome.kind, JSON.stringify(outcome)).toBe('network-error');
      if (kind === 'pglite') expect(fs.existsSync(lockFile), 'the lock file is removed on a clean stop').toBe(false);

      // After a restart: everything acknowledged is there, nothing else, and the journal agrees.
      const again = await startServe(env);
      servers.push(again);
      const items = await listItems(again.url, token);
      const present = new Map(items.map((item) => [item.name, item]));
      expect(present.get('slow one')?.quantity).toBe('3');
      expect(present.has('slow two')).toBe(true);
      expect(present.has('before the signal')).toBe(true);
      const burstPresent = new Set<number>();
      for (let call = 0; call < BURST_CALLS; call++) {
        const there = burstNames(call).filter((name) => present.has(name)).length;
        expect([0, 2], `call ${call} left ${there} of its items`).toContain(there);
        if (there === 2) burstPresent.add(call);
      }
      expect([...burstPresent].sort((a, b) => a - b)).toEqual([...acked].sort((a, b) => a - b));
      expect(items).toHaveLength(3 + acked.size * 2);
      const history = await wholeHistory(again.url, token);
      expect(historyDisagreements(items, history)).toEqual([]);
      expect(history.filter((event) => event.entity === 'item' && event.kind === 'item.add')).toHaveLength(items.length);

      again.child.kill('SIGTERM');
      expect((await again.exited).code).toBe(0);
    } finally {
      await setup.cleanup();
    }
  });
});

describe('closing the HTTP server', () => {
  it('does not wait past its grace period for a request that never completes', { timeout: 60_000 }, async () => {
    const t = await testCore();
    const server = await startHttpServer({ core: t.core, log: silentLogger(), port: 0, host: '127.0.0.1' });
    try {
      const household = await t.core.households.ensure('family');
      const { token } = await t.core.tokens.create(household.id);
      // A client that sends half its request and stalls.
      const stalled = slowCall(server.url, token, 'add_items', { items: [{ name: 'never finished' }] });
      const failure = stalled.response.then(
        () => 'answered',
        (error: unknown) => (error as NodeJS.ErrnoException).code ?? String(error),
      );
      await sleep(300);
      const started = Date.now();
      await server.close({ graceMs: 500 });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(await failure).toBe('ECONNRESET');
      expect(await canConnect(server.port)).toBe(false);
      const ctx = { householdId: household.id, actor: { door: 'cli' as const, name: 't' }, requestId: '' };
      expect((await t.core.lists.get(ctx)).items).toEqual([]);
    } finally {
      await server.close();
      await t.close();
    }
  });
});
