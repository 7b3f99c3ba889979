/**
 * Start to ready: from spawning `node bin/larder.js serve --port 0` to `/healthz` answering 200,
 * on a fresh PGlite folder, on a reused one and on PostgreSQL, beside `node -e 0` in the same run;
 * where a start spends its time; and the resident memory of a process after adding 10,000 items
 * through the core.
 *
 * Run: npx tsx bench/startup.ts [--runs 3] [--postgres postgres://postgres@127.0.0.1:5432/test]
 * Target: ready in ≤ 3 s on PGlite.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { newBenchPostgres } from './support/postgres.ts';
import { quantile } from './support/stats.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    postgres: { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    child: { type: 'string' },
    database: { type: 'string' },
    'data-dir': { type: 'string' },
  },
});
const runs = Number(values.runs);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_MS = 3000;

/** What a child run prints: one JSON line on stdout. */
type ChildReport = Record<string, number>;

/** Inside a child process: where a start goes, phase by phase (`--child phases`). */
async function phases(fromTemplate: boolean): Promise<ChildReport> {
  const t0 = performance.now();
  const { openDatabase } = await import('../src/core/db/client.ts');
  const { pgliteTemplatePath } = await import('../src/core/db/pglite-template.ts');
  // As `larder serve` opens a new folder: from the template `larder prepare` saved (npm install), or by initdb.
  const template = fromTemplate ? { template: pgliteTemplatePath() } : {};
  const { createCore } = await import('../src/core/core.ts');
  const { startHttpServer } = await import('../src/mcp/http.ts');
  const { silentLogger } = await import('../src/core/log.ts');
  const t1 = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'larder-bench-phases-'));
  try {
    const database = await openDatabase({ kind: 'pglite', dataDir: dir, ...template });
    const t2 = performance.now();
    await database.migrate();
    const t3 = performance.now();
    const core = createCore({ db: database.db, changes: database.changes });
    const t4 = performance.now();
    const http = await startHttpServer({ core, log: silentLogger(), port: 0, host: '127.0.0.1' });
    const t5 = performance.now();
    await http.close();
    await database.close();
    const t6 = performance.now();
    const reopened = await openDatabase({ kind: 'pglite', dataDir: dir });
    const t7 = performance.now();
    await reopened.migrate();
    const t8 = performance.now();
    await reopened.close();
    return {
      importMs: t1 - t0,
      initdbMs: t2 - t1,
      migrateFreshMs: t3 - t2,
      coreMs: t4 - t3,
      httpMs: t5 - t4,
      reopenMs: t7 - t6,
      migrateReusedMs: t8 - t7,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Inside a child process: RSS after adding 10,000 items through the core (`--child rss`), on a
 * database migrated beforehand (a PGlite initdb leaves hundreds of MB behind that a server
 * started on an existing folder never has).
 */
async function rss(options: { databaseUrl?: string | undefined; dataDir?: string | undefined }): Promise<ChildReport> {
  const { openDatabase } = await import('../src/core/db/client.ts');
  const { createCore } = await import('../src/core/core.ts');
  const { newRequest } = await import('../src/core/context.ts');
  const database = await openDatabase(options.databaseUrl ? { kind: 'postgres', url: options.databaseUrl } : { kind: 'pglite', dataDir: options.dataDir ?? null });
  try {
    await database.migrate();
    const core = createCore({ db: database.db, changes: database.changes });
    const household = await core.households.ensure('bench');
    const ctx = newRequest(household.id, { door: 'cli', name: 'bench' });
    globalThis.gc?.();
    const ready = process.memoryUsage();
    const started = performance.now();
    for (let batch = 0; batch < 100; batch++) {
      const items = Array.from({ length: 100 }, (_, i) => ({ name: `item ${batch * 100 + i}`, quantity: `${1 + (i % 5)}` }));
      await core.lists.add(newRequest(ctx.householdId, ctx.actor), { items });
    }
    const addMs = performance.now() - started;
    const after = process.memoryUsage();
    globalThis.gc?.();
    const settled = process.memoryUsage();
    const list = await core.lists.get(ctx);
    if (list.items.length !== 10_000) throw new Error(`expected 10,000 items, found ${list.items.length}`);
    return {
      readyRssMb: ready.rss / 2 ** 20,
      afterRssMb: after.rss / 2 ** 20,
      afterGcRssMb: settled.rss / 2 ** 20,
      afterGcHeapMb: settled.heapUsed / 2 ** 20,
      addMs,
    };
  } finally {
    await database.close();
  }
}

if (values.child) {
  const report = values.child === 'phases' || values.child === 'phases-initdb' ? await phases(values.child === 'phases') : await rss({ databaseUrl: values.database, dataDir: values['data-dir'] });
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
}

/** Runs a command to its end; its stdout and the time it took. */
function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve({ ms: performance.now() - started, stdout });
      else reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

/** Spawns `larder serve --port 0` and times it to the first 200 from /healthz; then stops it. */
function timeServe(env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['bin/larder.js', 'serve', '--port', '0'], {
      cwd: root,
      env: { ...env, LARDER_LOG_LEVEL: 'silent', TELEGRAM_BOT_TOKEN: '', OPENAI_BASE_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let readyMs: number | null = null;
    let polling = false;
    const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /http:\/\/[^\s]+?(?=\/mcp)/.exec(stderr)?.[0];
      if (!url || polling) return;
      polling = true;
      void (async () => {
        // Poll until healthy: the address is printed once listening, the database may lag.
        while (readyMs === null) {
          const ok = await fetch(`${url}/healthz`).then((response) => response.status === 200, () => false);
          if (ok) readyMs = performance.now() - started;
          else await new Promise((wait) => setTimeout(wait, 5));
        }
        child.kill('SIGTERM');
      })();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timeout);
      if (readyMs !== null) resolve(readyMs);
      else reject(new Error(`larder serve exited (${code ?? signal}) before it was ready: ${stderr.slice(-2000)}`));
    });
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `work` on a new database of this run's own (dropped afterwards); null when PostgreSQL does not answer. */
async function withPostgres<T>(url: string, work: (databaseUrl: string) => Promise<T>): Promise<T | null> {
  const postgres = await newBenchPostgres(url);
  if (postgres === null) return null;
  try {
    return await work(postgres.url);
  } finally {
    await postgres.drop();
  }
}

const baseline: number[] = [];
for (let i = 0; i < runs; i++) baseline.push((await run(['-e', '0'])).ms);
const baselineMs = quantile(baseline, 0.5);
console.log(`node -e 0               ${seconds(baselineMs)} (baseline, median of ${runs})`);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'larder-bench-start-'));
try {
  const fresh: number[] = [];
  const reused: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = path.join(dataDir, `fresh-${i}`);
    fresh.push(await timeServe({ ...process.env, DATABASE_URL: '', LARDER_DATA_DIR: dir }));
    reused.push(await timeServe({ ...process.env, DATABASE_URL: '', LARDER_DATA_DIR: dir }));
  }
  const show = (label: string, times: number[]) => {
    const ms = quantile(times, 0.5);
    console.log(
      `${label.padEnd(23)} ${seconds(ms)} (median of ${times.length}; ×${(ms / baselineMs).toFixed(1)} node -e 0)` +
        `${label.includes('PGlite') && ms > TARGET_MS ? `  MISSES ≤ ${seconds(TARGET_MS)}` : ''}`,
    );
  };
  show('serve, fresh PGlite', fresh);
  show('serve, reused PGlite', reused);
  const postgres = await withPostgres(values.postgres, async (url) => {
    const first = await timeServe({ ...process.env, DATABASE_URL: url });
    const again: number[] = [];
    for (let i = 0; i < runs; i++) again.push(await timeServe({ ...process.env, DATABASE_URL: url }));
    return { first, again };
  });
  if (postgres) {
    show('serve, new PostgreSQL db', [postgres.first]);
    show('serve, PostgreSQL', postgres.again);
  } else {
    console.log(`serve, PostgreSQL       skipped: ${values.postgres} does not answer`);
  }
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const phaseReport = JSON.parse((await run(['--import', 'tsx', fileURLToPath(import.meta.url), '--child', 'phases'])).stdout) as ChildReport;
const initdbReport = JSON.parse((await run(['--import', 'tsx', fileURLToPath(import.meta.url), '--child', 'phases-initdb'])).stdout) as ChildReport;
const phase = (name: string) => seconds(phaseReport[name] ?? Number.NaN);
const hasTemplate = fs.existsSync((await import('../src/core/db/pglite-template.ts')).pgliteTemplatePath());
console.log(
  `where a start goes      import (tsx) ${phase('importMs')}, new PGlite folder ${phase('initdbMs')} ${hasTemplate ? 'from the template (npm install ran larder prepare)' : 'by initdb (no template: run larder prepare)'} ` +
    `vs ${seconds(initdbReport.initdbMs ?? Number.NaN)} by initdb, migrations ${phase('migrateFreshMs')}, ` +
    `core + catalog ${phase('coreMs')}, HTTP ${phase('httpMs')}; reused folder: open ${phase('reopenMs')}, migrations ${phase('migrateReusedMs')}`,
);

const memory = async (label: string, extra: string[]) => {
  const report = JSON.parse((await run(['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', 'rss', ...extra])).stdout) as ChildReport;
  const mb = (name: string) => `${(report[name] ?? Number.NaN).toFixed(0)} MB`;
  console.log(
    `memory, ${label.padEnd(15)} RSS ${mb('readyRssMb')} ready, ${mb('afterRssMb')} after 10,000 items (${mb('afterGcRssMb')} after GC, heap ${mb('afterGcHeapMb')}); ` +
      `added in ${seconds(report.addMs ?? Number.NaN)}`,
  );
};
const memoryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'larder-bench-rss-'));
try {
  await run(['bin/larder.js', 'migrate'], { ...process.env, DATABASE_URL: '', LARDER_DATA_DIR: memoryDir, LARDER_LOG_LEVEL: 'silent' });
  await memory('PGlite', ['--data-dir', memoryDir]);
} finally {
  fs.rmSync(memoryDir, { recursive: true, force: true });
}
const pgMemory = await withPostgres(values.postgres, async (url) => {
  await run(['bin/larder.js', 'migrate'], { ...process.env, DATABASE_URL: url, LARDER_LOG_LEVEL: 'silent' });
  await memory('PostgreSQL', ['--database', url]);
  return true;
});
if (!pgMemory) console.log('memory, PostgreSQL      skipped');
