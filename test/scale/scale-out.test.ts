/**
 * Scale-out (docs/scaling.md): two real `larder serve` processes on one PostgreSQL database, the
 * bot in webhook mode on both, driven at once — as a load balancer would spread the traffic.
 * No update is lost, a chat's updates are handled in the order they were sent whichever instance
 * gets them, and each reminder is sent once although both schedulers tick.
 * PostgreSQL only: PGlite belongs to one process, so there is no second instance to test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Update } from 'grammy/types';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSecretFor } from '../../src/bot/service.ts';
import { testPostgresUrl } from '../support/core.ts';
import { startFakeOpenAi, lastUserText, type FakeOpenAi, type FakeStep, type RecordedCall } from '../support/fake-openai.ts';
import { startFakeTelegram, type FakeChat, type FakeTelegram } from '../support/fake-telegram.ts';
import { bin, childEnv, createToken, eventually, freePort, historyDisagreements, larder, root, sleep, wholeHistory } from '../support/faults.ts';

const POSTGRES = process.env.TEST_DATABASE_URL;
const WEBHOOK_PATH = '/telegram/webhook';


/** One running `larder serve`. */
interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  stderr(): string;
  kill(): Promise<void>;
}

/** Starts `larder serve` on `port` and waits until its webhook is set. */
function startInstance(name: string, port: number, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port)], {
    cwd: root,
    env: childEnv({ ...env, TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}${WEBHOOK_PATH}` }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const instance: Instance = {
    name,
    url: `http://127.0.0.1:${port}`,
    child,
    stderr: () => stderr,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  child.stdout?.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void instance.kill().then(() => reject(new Error(`${name} did not start: ${stderr}`))), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/Telegram bot: @\S+ \(webhook\)/.test(stderr)) {
        clearTimeout(timer);
        resolve(instance);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before serving: ${stderr}`));
    });
  });
}

/** The step number in "drill step 3", or null. */
function drillStep(text: string): number | null {
  const match = /drill step (\d+)/.exec(text);
  return match ? Number(match[1]) : null;
}

const DRILL_STEPS = 6;
/** How long the model takes to plan step n: the first is slow, so without the lock the others overtake it. */
const planLatency = (step: number) => (step === 1 ? 1_000 : 100);

/**
 * The fake model: "drill step N" is planned (slowly, see `planLatency`) as one add_items call
 * for the item "drill step N", then answered "done step N"; anything else gets "ok".
 */
function model(call: RecordedCall): FakeStep {
  const step = drillStep(lastUserText(call));
  if (step === null) return { kind: 'text', content: 'ok' };
  const messages = (call.body as { messages: Array<{ role: string }> }).messages;
  if (messages.at(-1)?.role === 'tool') return { kind: 'text', content: `done step ${step}` };
  return {
    kind: 'tool_calls',
    calls: [{ name: 'add_items', arguments: { items: [{ name: `drill step ${step}`, category: 'Other' }] } }],
    latencyMs: planLatency(step),
  };
}

describe.runIf(!POSTGRES)('two `larder serve` instances on one database', () => {
  it.skip('needs PostgreSQL (TEST_DATABASE_URL): PGlite belongs to one process, so there is no second instance', () => undefined);
});

describe.skipIf(!POSTGRES)('two `larder serve` instances on one PostgreSQL, the bot on webhooks behind them', () => {
  let postgres: { url: string; drop(): Promise<void> };
  let telegram: FakeTelegram;
  let llm: FakeOpenAi;
  let a: Instance;
  let b: Instance;
  let secret: string;
  let admin: pg.Client;
  let ada: ReturnType<FakeTelegram['user']>;
  let adaChat: FakeChat;
  let adaToken: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    const made = await testPostgresUrl();
    if (!made) throw new Error('TEST_DATABASE_URL is set but no database was made');
    postgres = made;
    [telegram, llm] = await Promise.all([startFakeTelegram(), startFakeOpenAi()]);
    llm.setDefault(model);
    const env = {
      DATABASE_URL: postgres.url,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: 'test',
      LARDER_MODEL: 'fake-chat',
      LARDER_LLM_RPM: '100000',
      LARDER_LLM_CONCURRENCY: '16',
      LARDER_SCHEDULER_INTERVAL_MS: '100',
    };
    const ports = [await freePort(), await freePort()] as const;
    ada = telegram.user('Ada');
    adaChat = telegram.privateChat(ada);
    // A token for the household Ada's private chat will act for (its slug is known), made while the instances start.
    [a, b, adaToken] = await Promise.all([
      startInstance('A', ports[0], env),
      startInstance('B', ports[1], env),
      createToken({ DATABASE_URL: postgres.url }, `tg-user-${ada.id}`),
    ]);
    // No TELEGRAM_WEBHOOK_SECRET: each instance derives the same secret from the token.
    secret = webhookSecretFor(telegram.token);
    admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await Promise.all([a?.kill(), b?.kill()]);
    await admin?.end();
    await Promise.all([telegram?.close(), llm?.close()]);
    await postgres?.drop();
  });

  /** POSTs one update to an instance's webhook, as Telegram (or the load balancer in front) would. */
  async function deliver(instance: Instance, update: Update): Promise<void> {
    const response = await fetch(`${instance.url}${WEBHOOK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
      body: JSON.stringify(update),
    });
    if (response.status !== 200) throw new Error(`${instance.name} answered ${response.status}: ${await response.text()}\n${instance.stderr()}`);
  }

  async function mcp(instance: Instance, token: string): Promise<Client> {
    const client = new Client({ name: 'scale-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${instance.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    clients.push(client);
    return client;
  }

  async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    if (result.isError || !result.structuredContent) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
    return result.structuredContent;
  }

  /** The bot's messages in a chat, as the user reads them. */
  const said = (chat: FakeChat) => telegram.messagesIn(chat).map((message) => message.plain);

  it('loses no update: MCP calls through both instances and bot messages, all at once, on one item', async () => {
    // The first message links Ada's chat to the household the token is for.
    await deliver(a, telegram.sendText(adaChat, ada, 'add 1 oat milk'));
    const [viaA, viaB] = await Promise.all([mcp(a, adaToken), mcp(b, adaToken)]);

    const perClient = 10;
    const botMessages = 6;
    const adds = [viaA, viaB].flatMap((client) =>
      Array.from({ length: perClient }, () => call(client, 'add_items', { items: [{ name: 'oat milk', quantity: '1' }] })),
    );
    const messages = Array.from({ length: botMessages }, (_, index) => deliver(index % 2 === 0 ? a : b, telegram.sendText(adaChat, ada, 'add 1 oat milk')));
    await Promise.all([...adds, ...messages]);

    const { items } = await call(viaB, 'get_list', {});
    const open = (items as Array<{ id: number; name: string; quantity: string | null }>).filter((item) => item.name === 'oat milk');
    expect(open).toHaveLength(1);
    expect(open[0]?.quantity).toBe(String(1 + 2 * perClient + botMessages));
    // The journal agrees: the row added once, and one merge for every other add.
    const history = await wholeHistory(a.url, adaToken);
    expect(historyDisagreements(open, history)).toEqual([]);
    expect(history.filter((event) => event.kind === 'item.merge' && event.entityId === open[0]?.id)).toHaveLength(2 * perClient + botMessages);
    expect(said(adaChat).filter((text) => /oat milk/.test(text))).toHaveLength(1 + botMessages);
  });

  it('refuses a token on both instances once another process revoked it, though each kept it in memory', async () => {
    const token = await createToken({ DATABASE_URL: postgres.url }, 'revoked-elsewhere');
    const status = async (instance: Instance) =>
      (
        await fetch(`${instance.url}/mcp`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        })
      ).status;
    // Verified on both: each instance now holds the token in memory.
    expect([await status(a), await status(b)]).toEqual([200, 200]);
    const revoke = await larder(['token', 'revoke', token.slice(0, 12)], { DATABASE_URL: postgres.url });
    expect(revoke.code, revoke.stderr).toBe(0);
    // Each hears the change through PostgreSQL (drizzle/0004) within moments of the commit.
    const refused = (instance: Instance) => eventually(async () => (await status(instance)) === 401, { timeoutMs: 1_000 });
    expect(await Promise.all([refused(a), refused(b)])).toEqual([true, true]);
  });

  it("keeps one chat's order when its updates alternate between the instances", async () => {
    const bob = telegram.user('Bob');
    const chat = telegram.privateChat(bob);
    // Both instances have run the agent once, so neither is slower to start than the other.
    await Promise.all([deliver(a, telegram.sendText(chat, bob, 'hello there, how are you')), deliver(b, telegram.sendText(chat, bob, 'and how is the kitchen'))]);
    const before = said(chat).length;

    // Step n to A when odd, to B when even, each sent 60 ms after the one before (step 2 250 ms after
    // step 1, so step 1 surely reaches its instance first even on a busy machine): long before it is done.
    const sentAt: number[] = [];
    const doneAt: number[] = [];
    const deliveries: Array<Promise<void>> = [];
    for (let step = 1; step <= DRILL_STEPS; step++) {
      const update = telegram.sendText(chat, bob, `drill step ${step}`);
      sentAt.push(performance.now());
      deliveries.push(deliver(step % 2 === 1 ? a : b, update).then(() => void doneAt.push(performance.now())));
      await sleep(step === 1 ? 250 : 60);
    }
    await Promise.all(deliveries);
    for (let step = 1; step < DRILL_STEPS; step++) expect(sentAt[step]).toBeLessThan(doneAt[0] ?? 0);

    // The replies, and the rows written, follow the order sent.
    const expected = Array.from({ length: DRILL_STEPS }, (_, index) => `done step ${index + 1}`);
    // (A webhook answers after 8 s even if the update is still being handled: wait for every reply.)
    await expect.poll(() => said(chat).length - before, { timeout: 15_000 }).toBe(DRILL_STEPS);
    expect(said(chat).slice(before)).toEqual(expected);
    const { rows } = await admin.query<{ name: string }>(
      `select i.name from items i join telegram_users u on u.household_id = i.household_id
        where u.user_id = $1 and i.name like 'drill step %' order by i.id`,
      [bob.id],
    );
    expect(rows.map((row) => row.name)).toEqual(Array.from({ length: DRILL_STEPS }, (_, index) => `drill step ${index + 1}`));
  });

  it('sends each reminder once while both schedulers tick', async () => {
    const [viaA, viaB] = await Promise.all([mcp(a, adaToken), mcp(b, adaToken)]);
    // Few: replies in one chat are spaced a second apart (Telegram's limit, kept by each instance).
    const titles = Array.from({ length: 4 }, (_, index) => `scale reminder ${index + 1}`);
    const start = Date.now();
    // Due one after another over the next second: the ticks of both instances race for each.
    const add = (index: number) => call(index % 2 === 0 ? viaA : viaB, 'add_task', { title: titles[index], due: new Date(start + 300 + index * 150).toISOString() });
    // The first task alone: two first tasks at once both try to create the task list, and one fails.
    await add(0);
    await Promise.all(titles.slice(1).map((_, index) => add(index + 1)));
    const sends = (title: string) => telegram.calls.filter((c) => c.method === 'sendMessage' && typeof c.params.text === 'string' && c.params.text.includes(title));
    await expect.poll(() => titles.filter((title) => sends(title).length > 0).length, { timeout: 10_000, interval: 50 }).toBe(titles.length);
    // Many more ticks of both instances: nothing is sent again.
    await sleep(600);
    expect(titles.map((title) => sends(title).length)).toEqual(titles.map(() => 1));
    expect(said(adaChat).filter((text) => text.includes('Reminder'))).toHaveLength(titles.length);
  });
});
