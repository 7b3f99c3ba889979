/**
 * MCP over Streamable HTTP: Larder's `/mcp` (token auth, the whole tool registry, a real
 * database) beside a bare `@modelcontextprotocol/sdk` server with one echo tool, built the way the
 * SDK's stateless example builds it (a new server and transport per request, JSON responses).
 * Both are driven by the SDK `Client` in the same run, alternating rounds so noise hits both.
 *
 * Run: npx tsx bench/mcp-http.ts [--iterations 300] [--concurrency 4] [--rounds 20] [--postgres URL]
 * Larder runs on in-memory PGlite, then (when it answers) on PostgreSQL.
 * One iteration is two calls: `add_items` then `get_list` (bare: echo then echo).
 * Target: Larder's throughput ≥ 0.5 of the bare server's.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { z } from 'zod';
import { createCore } from '../src/core/core.ts';
import { openDatabase, runNamedStatement, type Database } from '../src/core/db/client.ts';
import { silentLogger } from '../src/core/log.ts';
import { TOOLS } from '../src/core/tools/index.ts';
import { startHttpServer } from '../src/mcp/http.ts';
import { buildMcpServer } from '../src/mcp/server.ts';
import { newBenchPostgres } from './support/postgres.ts';
import { quantile } from './support/stats.ts';
import { watchPg, watchPglite, type SentStatement } from './support/statements.ts';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '20' },
    postgres: { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const iterations = Number(values.iterations);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);

/**
 * The statements one iteration sends, recorded at the driver, and a replay of them straight on
 * the driver: the database's share of an iteration, with no MCP, drizzle or Larder code around it.
 */
interface StatementRecorder {
  record<T>(work: () => Promise<T>): Promise<number>;
  /** Runs the recorded statements once, one after another. */
  replay(): Promise<void>;
  close(): Promise<void>;
}

/** In-memory PGlite opened as `larder serve` opens it, whose statements can be recorded and replayed. */
async function recordedPglite(): Promise<{ database: Database; recorder: StatementRecorder }> {
  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  const client = (database.db as unknown as { $client: PGlite }).$client;
  const recording = recorder(async (statement) => {
    // On the same database, so the statements find their tables and rows.
    if (statement.kind === 'query') return (await client.query<Record<string, unknown>>(statement.text, statement.values)).rows;
    if (statement.kind === 'named') return runNamedStatement(database.db, statement.name, statement.text, statement.values);
    // Prepared already: the replay runs it by name.
    if (statement.kind === 'prepare') return [];
    await client.exec(statement.text);
    return [];
  });
  watchPglite(database, recording.seen);
  return { database, recorder: recording };
}

/** Records what every `pg` client sends while recording; replays it on a connection of its own. */
async function recordedPg(url: string): Promise<StatementRecorder> {
  const replayer = new pg.Client({ connectionString: url });
  await replayer.connect();
  const recording = recorder(async (statement) => {
    const result = await replayer.query<Record<string, unknown>>(
      statement.kind === 'query' ? { text: statement.text, values: statement.values, ...(statement.name ? { name: statement.name } : {}) } : statement.text,
    );
    return result.rows;
  });
  const stop = watchPg(recording.seen);
  return {
    ...recording,
    close: async () => {
      stop();
      await replayer.end();
    },
  };
}

/**
 * An add's write names the version of each row its read saw (drizzle/0005) and refuses a row
 * changed since, as the recorded write itself changed it: a replayed write is given the versions
 * its replayed read just returned.
 */
function withCurrentVersions(statement: SentStatement, lastRows: ReadonlyArray<Record<string, unknown>>): SentStatement {
  if ((statement.kind !== 'query' && statement.kind !== 'named') || !statement.text.includes('larder_add_items_at_once(')) return statement;
  const versions = new Map(lastRows.map((row) => [Number(row.id), row.row_version]));
  const merges = JSON.parse(String(statement.values[2])) as Array<{ id: number; version: string }>;
  const current = JSON.stringify(merges.map((merge) => ({ ...merge, version: versions.get(merge.id) ?? merge.version })));
  // Its third parameter is the merges, named or not.
  if (statement.kind === 'named') return { ...statement, values: statement.values.map((value, index) => (index === 2 ? current : value)) };
  return { ...statement, values: statement.values.map((value, index) => (index === 2 ? current : value)) };
}

/** Keeps the statements seen while `record` runs its work, and replays them with `run`. */
function recorder(
  run: (statement: SentStatement) => Promise<Array<Record<string, unknown>>>,
): StatementRecorder & { seen: (statement: SentStatement) => void } {
  let recording: SentStatement[] | null = null;
  let recorded: SentStatement[] = [];
  return {
    seen: (statement) => void recording?.push(statement),
    async record(work) {
      recording = [];
      await work();
      recorded = recording;
      recording = null;
      return recorded.length;
    },
    async replay() {
      let lastRows: Array<Record<string, unknown>> = [];
      for (const statement of recorded) lastRows = await run(withCurrentVersions(statement, lastRows));
    },
    close: () => Promise.resolve(),
  };
}

/** The bare SDK server: per request a new McpServer with one echo tool and a stateless transport. */
async function startBareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const build = () => {
    const server = new McpServer({ name: 'bare', version: '1.0.0' });
    server.registerTool(
      'echo',
      { title: 'Echo', description: 'Echoes its input.', inputSchema: z.object({ text: z.string() }), outputSchema: z.object({ text: z.string() }) },
      ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { text } }),
    );
    return server;
  };
  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const body: unknown = raw === '' ? undefined : JSON.parse(raw);
      const mcp = build();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => {
        void transport.close();
        void mcp.close();
      });
      await mcp.connect(transport);
      await transport.handleRequest(req, res, body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'larder-bench', version: '1.0.0' });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** Calls a tool, fails loudly on an error result, and returns how long the call took. */
async function timedCall(client: Client, name: string, args: Record<string, unknown>): Promise<number> {
  const started = performance.now();
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const ms = performance.now() - started;
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return ms;
}

/** What one iteration does on each side; the time of each of its calls. */
type Iteration = (client: Client, i: number) => Promise<number[]>;

const NAMES = ['milk', 'eggs', 'bread', 'apples', 'rice', 'coffee', 'butter', 'pasta', 'tomatoes', 'cheddar', 'oat milk', 'tea bags'];

const larderIteration: Iteration = async (client, i) => [
  // A bounded set of names: the list stays short and most adds merge, as on a real list.
  await timedCall(client, 'add_items', { items: [{ name: NAMES[i % NAMES.length] ?? 'milk', quantity: '1' }] }),
  await timedCall(client, 'get_list', {}),
];
const bareIteration: Iteration = async (client, i) => [
  await timedCall(client, 'echo', { text: `item ${i}` }),
  await timedCall(client, 'echo', { text: 'list' }),
];

interface Run {
  ms: number;
  /** Per call, in ms. */
  latencies: number[];
}

/** `count` iterations spread over `clients`, each client one after another. */
async function drive(clients: Client[], count: number, iteration: Iteration, offset: number): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (next < count) {
        const i = offset + next++;
        latencies.push(...(await iteration(client, i)));
      }
    }),
  );
  return { ms: performance.now() - started, latencies };
}

/**
 * Alternating short rounds of the two sides, so a noisy neighbour hits both alike; the ratio is
 * the median of the rounds' ratios, beside the ratio of the totals.
 */
async function compare(label: string, larderClients: Client[], bareClients: Client[]): Promise<{ larderMs: number; bareMs: number }> {
  const per = Math.max(1, Math.ceil(iterations / rounds));
  const larder: Run = { ms: 0, latencies: [] };
  const bare: Run = { ms: 0, latencies: [] };
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const b = await drive(bareClients, per, bareIteration, round * per);
    const l = await drive(larderClients, per, larderIteration, round * per);
    bare.ms += b.ms;
    bare.latencies.push(...b.latencies);
    larder.ms += l.ms;
    larder.latencies.push(...l.latencies);
    ratios.push(b.ms / l.ms);
  }
  const total = per * rounds;
  const show = (name: string, run: Run) => {
    console.log(
      `${label} ${name.padEnd(7)} ${((total / run.ms) * 1000).toFixed(0).padStart(5)} iterations/s  ` +
        `p50 ${quantile(run.latencies, 0.5).toFixed(2)} ms  p99 ${quantile(run.latencies, 0.99).toFixed(2)} ms per call`,
    );
  };
  show('larder', larder);
  show('bare', bare);
  const ratio = quantile(ratios, 0.5);
  console.log(
    `${label} ratio   ${ratio.toFixed(3)} (larder ÷ bare throughput, median of ${rounds} rounds; totals ${(bare.ms / larder.ms).toFixed(3)}; target ≥ 0.5)` +
      `${ratio < 0.5 ? '  MISSES' : ''}`,
  );
  return { larderMs: larder.ms / total, bareMs: bare.ms / total };
}

/** Larder on `database` beside the bare server: sequential, then `concurrency` clients at once. */
async function runAgainst(label: string, database: Database, bareUrl: string, recorder: StatementRecorder): Promise<void> {
  await database.migrate();
  const core = createCore({ db: database.db, changes: database.changes });
  const household = await core.households.ensure(`bench ${randomUUID().slice(0, 8)}`);
  const { token } = await core.tokens.create(household.id);
  // The per-token rate limit would refuse a benchmark's burst; it is set far above it here.
  const larderServer = await startHttpServer({ core, log: silentLogger(), port: 0, host: '127.0.0.1', rateLimit: { requestsPerMinute: 1_000_000 } });
  const clients: Client[] = [];
  try {
    const larderClients = await Promise.all(Array.from({ length: concurrency }, () => connect(`${larderServer.url}/mcp`, token)));
    const bareClients = await Promise.all(Array.from({ length: concurrency }, () => connect(bareUrl)));
    clients.push(...larderClients, ...bareClients);
    // Warm-up: JIT, first queries, connection pools.
    await drive(larderClients.slice(0, 1), 20, larderIteration, 0);
    await drive(bareClients.slice(0, 1), 20, bareIteration, 0);

    console.log(`${label}: ${iterations} iterations (add_items + get_list; bare: echo + echo), ${rounds} alternating rounds`);
    const sequential = await compare('  sequential  ', larderClients.slice(0, 1), bareClients.slice(0, 1));
    const [first] = larderClients;
    if (first) {
      const statements = await recorder.record(() => larderIteration(first, 0));
      for (let i = 0; i < 20; i++) await recorder.replay();
      const started = performance.now();
      for (let i = 0; i < iterations; i++) await recorder.replay();
      const floorMs = (performance.now() - started) / iterations;
      console.log(
        `  database     ${statements} statements an iteration (BEGIN and COMMIT included), replayed straight on the driver: ${floorMs.toFixed(2)} ms ` +
          `= ${((floorMs / sequential.larderMs) * 100).toFixed(0)} % of Larder's ${sequential.larderMs.toFixed(2)} ms iteration; the bare server's whole iteration ${sequential.bareMs.toFixed(2)} ms; ` +
          `ceiling for a server that must send them, were the rest as cheap as the bare server: ${(sequential.bareMs / (sequential.bareMs + floorMs)).toFixed(2)}`,
      );
    }
    await compare(`  concurrent ${concurrency}`.padEnd(14), larderClients, bareClients);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await larderServer.close();
    await database.close();
  }
}

const bareServer = await startBareServer();
try {
  {
    // What the server pool saves each stateless request: building Larder's MCP server.
    const core = createCore({ db: {} as Database['db'] });
    const log = silentLogger();
    for (let i = 0; i < 20; i++) buildMcpServer({ core, householdId: 1, log });
    const started = performance.now();
    for (let i = 0; i < 200; i++) buildMcpServer({ core, householdId: 1, log });
    console.log(`building Larder's MCP server (${TOOLS.length} tools): ${((performance.now() - started) / 200).toFixed(2)} ms — once per request before the pool`);
  }
  const pglite = await recordedPglite();
  await runAgainst('PGlite (in memory)', pglite.database, bareServer.url, pglite.recorder);
  const postgres = await newBenchPostgres(values.postgres);
  if (postgres) {
    const recorder = await recordedPg(postgres.url);
    try {
      await runAgainst('PostgreSQL', await openDatabase({ kind: 'postgres', url: postgres.url }), bareServer.url, recorder);
    } finally {
      await recorder.close();
      await postgres.drop();
    }
  } else {
    console.log(`PostgreSQL: skipped, ${values.postgres} does not answer`);
  }
} finally {
  await bareServer.close();
}
