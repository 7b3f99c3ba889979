import { bin, root, runLarder, type Run } from './cli.ts';
/**
 * Helpers for the fault tests: `larder` processes started and stopped as an operator would,
 * MCP calls over plain HTTP, and checks that the journal and the data agree.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { inject } from 'vitest';
import { queryRows, type DbOrTx } from '../../src/core/db/client.ts';
import { testPostgresUrl } from './core.ts';

export { bin, root };

/** The environment of a child `larder`: no bot, no LLM, no database but the one given. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // A burst from one token must not meet the per-token rate limit: these tests are about faults.
  const env: NodeJS.ProcessEnv = { ...process.env, LARDER_LOG_LEVEL: 'warn', LARDER_MCP_RPM: '1000000' };
  for (const key of ['DATABASE_URL', 'LARDER_DATA_DIR', 'TELEGRAM_BOT_TOKEN', 'OPENAI_BASE_URL', 'OPENAI_API_KEY', 'LARDER_MODEL', 'PORT']) {
    delete env[key];
  }
  return { ...env, ...extra };
}

/** Runs `larder …` to completion, with the environment the fault tests give their processes. */
export function larder(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Run> {
  return runLarder(args, { env: childEnv(env), timeoutMs });
}

/** Creates a token with `larder token create` and returns it. */
export async function createToken(env: Record<string, string>, household = 'family'): Promise<string> {
  const run = await larder(['token', 'create', '--household', household], env);
  if (run.code !== 0) throw new Error(`token create failed (${run.code}): ${run.stderr}`);
  const token = run.stdout.trim();
  if (!/^lrd_[A-Za-z0-9_-]{32,}$/.test(token)) throw new Error(`token create printed ${JSON.stringify(run.stdout)}`);
  return token;
}

/** A running `larder serve`. */
export interface Server {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  stderr(): string;
  /** Resolves when the process has exited, with its code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running, and wait for the exit; safe to call twice. */
  kill(): Promise<void>;
}

/** Starts `larder serve --port 0` and waits for the line that names its URL. */
export function startServe(env: Record<string, string>, timeoutMs = 60_000): Promise<Server> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd: root, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });
  child.stdout?.resume();
  const kill = async () => {
    if (exitInfo === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill().then(() => reject(new Error(`larder serve did not start in ${timeoutMs} ms: ${stderr}`)));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /Larder MCP server: (http:\/\/127\.0\.0\.1:(\d+))\/mcp/.exec(stderr);
      if (match?.[1] && match[2] && child.pid !== undefined) {
        clearTimeout(timer);
        resolve({ child, pid: child.pid, port: Number(match[2]), url: match[1], stderr: () => stderr, exited, kill });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`larder serve exited (${code ?? signal ?? '?'}) before serving: ${stderr}`));
    });
  });
}

/** What one MCP tool call over HTTP came back with. */
export type CallOutcome =
  | { kind: 'ok'; structured: Record<string, unknown> }
  | { kind: 'tool-error'; text: string }
  | { kind: 'http-error'; status: number; body: string }
  | { kind: 'network-error'; error: string };

/** One `tools/call` as a plain JSON-RPC POST, the way any Streamable HTTP client sends it. */
export async function callTool(url: string, token: string, name: string, args: Record<string, unknown>, id = 1): Promise<CallOutcome> {
  let response: Response;
  let body: string;
  try {
    response = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }),
    });
    body = await response.text();
  } catch (error) {
    return { kind: 'network-error', error: String(error) };
  }
  if (response.status !== 200) return { kind: 'http-error', status: response.status, body };
  const message = JSON.parse(body) as { result?: { isError?: boolean; structuredContent?: Record<string, unknown>; content?: Array<{ text?: string }> } };
  const result = message.result;
  if (!result || result.isError === true || !result.structuredContent) {
    return { kind: 'tool-error', text: result?.content?.[0]?.text ?? body };
  }
  return { kind: 'ok', structured: result.structuredContent };
}

/** Unwraps a successful call, or throws with what came back. */
export async function callOk(url: string, token: string, name: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const outcome = await callTool(url, token, name, args);
  if (outcome.kind !== 'ok') throw new Error(`${name} failed: ${JSON.stringify(outcome)}`);
  return outcome.structured;
}

export interface HistoryEvent {
  id: number;
  kind: string;
  entity: string;
  entityId: number | null;
  undone: boolean;
}

/** The household's whole journal through `get_history`, paging back to the first event. */
export async function wholeHistory(url: string, token: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let before: number | undefined;
  for (;;) {
    const page = (await callOk(url, token, 'get_history', { limit: 200, ...(before === undefined ? {} : { before }) })).events as HistoryEvent[];
    events.push(...page);
    const last = page[page.length - 1];
    if (page.length < 200 || last === undefined) return events;
    before = last.id;
  }
}

/** The names on a list through `get_list`, with their ids. */
export async function listItems(url: string, token: string, list?: string): Promise<Array<{ id: number; name: string; quantity: string | null }>> {
  const structured = await callOk(url, token, 'get_list', list === undefined ? {} : { list });
  return structured.items as Array<{ id: number; name: string; quantity: string | null }>;
}

/**
 * How the journal and the item rows of a household disagree: item rows without exactly one
 * `item.add` event, and `item.add` events whose row is gone (none of these tests removes items).
 * Empty when they agree.
 */
export async function journalDisagreements(db: DbOrTx, householdId: number): Promise<string[]> {
  const rows = await queryRows<{ problem: string }>(
    db,
    sql`
      select 'item ' || i.id || ' (' || i.name || ') has ' || count(e.id) || ' item.add events' as problem
        from items i left join events e on e.entity = 'item' and e.kind = 'item.add' and e.entity_id = i.id
       where i.household_id = ${householdId}
       group by i.id, i.name having count(e.id) <> 1
      union all
      select 'event ' || e.id || ' adds item ' || e.entity_id || ', which is not there'
        from events e left join items i on i.id = e.entity_id
       where e.household_id = ${householdId} and e.entity = 'item' and e.kind = 'item.add' and i.id is null`,
  );
  return rows.map((row) => row.problem);
}

/** Same check over HTTP: every listed item has exactly one `item.add` event and every such event its item. */
export function historyDisagreements(items: ReadonlyArray<{ id: number; name: string }>, events: readonly HistoryEvent[]): string[] {
  const adds = events.filter((event) => event.entity === 'item' && event.kind === 'item.add');
  const problems: string[] = [];
  const ids = new Set(items.map((item) => item.id));
  for (const item of items) {
    const count = adds.filter((event) => event.entityId === item.id).length;
    if (count !== 1) problems.push(`item ${item.id} (${item.name}) has ${count} item.add events`);
  }
  for (const event of adds) {
    if (event.entityId === null || !ids.has(event.entityId)) problems.push(`event ${event.id} adds item ${event.entityId ?? '?'}, which is not there`);
  }
  return problems;
}

/**
 * Fills an empty PGlite folder with the migrated template the test run made once: a `larder`
 * started on it skips initdb and the migrations (~15 s on a busy machine), and is otherwise the same.
 */
export async function migratedPgliteDir(dir: string): Promise<void> {
  const dump = fs.readFileSync(inject('pgliteTemplate'));
  const client = await PGlite.create({ dataDir: dir, loadDataDir: new Blob([dump]) });
  await client.close();
}

/** A fresh temp folder, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `check` holds, asking every `intervalMs`, for at most `timeoutMs` (5 s unless
 * told); false if it never did. For what another process or connection makes true a moment later.
 */
export async function eventually(check: () => boolean | Promise<boolean>, { timeoutMs = 5_000, intervalMs = 20 } = {}): Promise<boolean> {
  for (let attempt = 0; attempt < Math.ceil(timeoutMs / intervalMs); attempt++) {
    if (await check()) return true;
    await sleep(intervalMs);
  }
  return false;
}

/** A port nothing listens on now, for a process that must know its port before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The databases the process-level fault tests run against: PGlite always, PostgreSQL when configured. */
export const FAULT_TARGETS: Array<{ name: string; kind: 'pglite' | 'postgres' }> = [
  { name: 'PGlite', kind: 'pglite' },
  ...(process.env.TEST_DATABASE_URL ? [{ name: 'PostgreSQL', kind: 'postgres' as const }] : []),
];

/** One fault scenario's surroundings: a database of its own, the servers it started, and their cleanup. */
export interface FaultSetup {
  env: Record<string, string>;
  /** The PGlite lock file (in the temp folder, also for PostgreSQL where it never appears). */
  lockFile: string;
  servers: Server[];
  /** Kills every server started, removes the folder, drops the PostgreSQL database. */
  cleanup(): Promise<void>;
}

/** A fresh, migrated database for `larder` processes: a PGlite folder, or a PostgreSQL database of its own. */
export async function faultSetup(kind: 'pglite' | 'postgres', prefix: string): Promise<FaultSetup> {
  const temp = tempDir(prefix);
  const postgres = kind === 'postgres' ? await testPostgresUrl() : null;
  const servers: Server[] = [];
  if (kind === 'pglite') {
    try {
      await migratedPgliteDir(temp.dir);
    } catch (error) {
      temp.remove();
      throw error;
    }
  }
  return {
    env: postgres ? { DATABASE_URL: postgres.url } : { LARDER_DATA_DIR: temp.dir },
    lockFile: path.join(temp.dir, 'larder.lock'),
    servers,
    cleanup: async () => {
      await Promise.all(servers.map((server) => server.kill()));
      temp.remove();
      await postgres?.drop();
    },
  };
}
