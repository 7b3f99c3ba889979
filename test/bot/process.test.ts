import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.ts';
import { testDatabaseKind, testPostgresUrl } from '../support/core.ts';
import { nextMessage } from './harness.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = path.join(root, 'bin/larder.js');

interface Running {
  child: ChildProcessWithoutNullStreams;
  stderr(): string;
  /** Resolves when stderr contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

function larder(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, LARDER_LOG_LEVEL: 'warn', ...env } });
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stderr: () => stderr,
    exited,
    waitFor: (text, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const found = () => (typeof text === 'string' ? stderr.includes(text) : text.test(stderr));
        if (found()) return resolve();
        const timer = setTimeout(() => reject(new Error(`not seen within ${timeoutMs} ms: ${String(text)}\n${stderr}`)), timeoutMs);
        const check = () => {
          if (!found()) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
        void exited.then(() => {
          if (found()) return;
          clearTimeout(timer);
          reject(new Error(`exited before ${String(text)}:\n${stderr}`));
        });
      }),
  };
}

describe(`larder bot / larder serve with TELEGRAM_BOT_TOKEN (${testDatabaseKind})`, () => {
  let fake: FakeTelegram | undefined;
  let dir: string | undefined;
  let running: Running | undefined;
  let drop: () => Promise<void> = async () => undefined;

  async function databaseEnv(): Promise<Record<string, string>> {
    const postgres = await testPostgresUrl();
    if (postgres) {
      drop = () => postgres.drop();
      return { DATABASE_URL: postgres.url };
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'larder-bot-'));
    return { LARDER_DATA_DIR: dir, DATABASE_URL: '' };
  }

  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    await fake?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await drop();
    fake = undefined;
    dir = undefined;
    running = undefined;
    drop = async () => undefined;
  });

  it('`larder bot` long-polls, answers, and stops cleanly on SIGTERM', async () => {
    fake = await startFakeTelegram();
    running = larder(['bot'], { ...(await databaseEnv()), TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });
    await running.waitFor('long polling');
    expect(fake.commands().length).toBeGreaterThan(10);
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    fake.sendText(dm, ada, 'add oat milk');
    expect((await nextMessage(fake, dm, 20_000)).plain).toContain('oat milk');
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  }, 60_000);

  it('`larder bot` without a token says which variable is missing', async () => {
    running = larder(['bot'], { TELEGRAM_BOT_TOKEN: '', LARDER_DATA_DIR: os.tmpdir() });
    expect(await running.exited).toBe(2);
    expect(running.stderr()).toMatch(/TELEGRAM_BOT_TOKEN/);
  });

  it('`larder bot` with a token Telegram refuses stops at once and says so', async () => {
    fake = await startFakeTelegram();
    running = larder(['bot'], { ...(await databaseEnv()), TELEGRAM_BOT_TOKEN: '123:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', TELEGRAM_API_ROOT: fake.apiRoot });
    expect(await running.exited).toBe(1);
    expect(running.stderr()).toMatch(/Telegram refused the bot token .* check TELEGRAM_BOT_TOKEN/);
  }, 60_000);

  it('`larder serve` runs the bot on a webhook on its own HTTP server', async () => {
    fake = await startFakeTelegram();
    running = larder(['serve', '--port', '0'], {
      ...(await databaseEnv()),
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      // The real URL is only known once the server listens: the fake is told by setWebhook, so patch it below.
      TELEGRAM_WEBHOOK_URL: 'http://127.0.0.1:1/telegram/webhook',
      TELEGRAM_WEBHOOK_SECRET: 'serve-test-secret',
    });
    await running.waitFor(/Telegram bot: @\S+ \(webhook\)/);
    const url = /Larder MCP server: (http:\/\/[^/\s]+)\/mcp/.exec(running.stderr())?.[1];
    expect(url).toBeDefined();
    expect(fake.webhook).toEqual({ url: 'http://127.0.0.1:1/telegram/webhook', secret_token: 'serve-test-secret' });
    // Point the fake at the port the server actually took, as Telegram would be pointed at the public URL.
    await fetch(`${fake.apiRoot}/bot${fake.token}/setWebhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${url ?? ''}/telegram/webhook`, secret_token: 'serve-test-secret' }),
    });
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    fake.sendText(dm, ada, 'add rye bread');
    await fake.deliverPending();
    expect((await nextMessage(fake, dm, 20_000)).plain).toContain('rye bread');
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  }, 60_000);
});
