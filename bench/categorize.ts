/**
 * Categorizing 1,000 new items (names the built-in catalog does not know) through
 * `core.lists.add` in batches of 100, against the fake OpenAI server: how many LLM calls it
 * takes and how long, beside the same adds with no LLM configured (everything goes to Other) in
 * the same run. A second pass over the same names must need no call at all (remembered).
 *
 * Run: npx tsx bench/categorize.ts [--items 1000] [--batch 100] [--latency 20]
 * Target: ≤ 20 LLM calls for 1,000 new items.
 */
import { parseArgs } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';
import { createCatalog } from '../src/core/catalog/catalog.ts';
import { DEFAULT_CATEGORIES } from '../src/core/catalog/default-categories.ts';
import { newRequest } from '../src/core/context.ts';
import { createCore, type Core } from '../src/core/core.ts';
import { openDatabase } from '../src/core/db/client.ts';
import { createLlm } from '../src/core/llm/llm.ts';
import { silentLogger } from '../src/core/log.ts';
import { lastUserText, startFakeOpenAi, type FakeResponder, type RecordedCall } from '../test/support/fake-openai.ts';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '100' },
    latency: { type: 'string', default: '20' },
  },
});
const itemCount = Number(values.items);
const batchSize = Number(values.batch);
const latencyMs = Number(values.latency);
const TARGET_CALLS = 20;

/** Made-up but plausible product names, kept only when the catalog does not know them. */
function unknownNames(count: number): string[] {
  const catalog = createCatalog();
  const brands = ['zorblat', 'quenby', 'marrowick', 'tillsey', 'vopnik', 'ardenne', 'hulvik', 'pemberly', 'straxa', 'yondel'];
  const kinds = ['crisps', 'relish', 'tonic', 'granola', 'balm', 'spread', 'cordial', 'wafers', 'chutney', 'polish', 'seasoning', 'pods'];
  const names: string[] = [];
  for (let i = 0; names.length < count; i++) {
    const name = `${brands[i % brands.length] ?? 'zorblat'} ${kinds[Math.floor(i / brands.length) % kinds.length] ?? 'crisps'} no ${i}`;
    if (catalog.lookup(name) === null) names.push(name);
  }
  return names;
}

/** Adds `names` in batches of `batchSize`; the time spent in each core, batch by batch side by side. */
async function addSideBySide(cores: Array<{ core: Core; householdId: number }>, names: readonly string[]): Promise<number[]> {
  const spent = cores.map(() => 0);
  for (let start = 0; start < names.length; start += batchSize) {
    const items = names.slice(start, start + batchSize).map((name) => ({ name }));
    for (const [index, { core, householdId }] of cores.entries()) {
      const started = performance.now();
      await core.lists.add(newRequest(householdId, { door: 'cli', name: 'bench' }), { items });
      spent[index] = (spent[index] ?? 0) + performance.now() - started;
    }
  }
  return spent;
}

const names = unknownNames(itemCount);
const fake = await startFakeOpenAi({ latencyMs });

/** The names a categorize call asked about. */
function askedNames(call: RecordedCall): string[] {
  try {
    return (JSON.parse(lastUserText(call)) as { items?: string[] }).items ?? [];
  } catch {
    return [];
  }
}

/** Answers every name it is asked about, cycling through the categories (Other left out). */
const answerAll: FakeResponder = (call) => ({
  kind: 'json',
  value: { items: askedNames(call).map((name, i) => ({ name, category: DEFAULT_CATEGORIES[i % (DEFAULT_CATEGORIES.length - 1)] ?? 'Other' })) },
});

// One initdb and migration, copied: a second fresh PGlite would add seconds to the run.
const withLlm = await openDatabase({ kind: 'pglite', dataDir: null });
await withLlm.migrate();
const template = await (withLlm.db as unknown as { $client: PGlite }).$client.dumpDataDir('none');
const withoutLlm = await openDatabase({ kind: 'pglite', dataDir: null, loadDataDir: template });
try {
  const log = silentLogger();
  const llm = createLlm({ baseURL: fake.url, apiKey: 'bench', model: 'fake-chat', concurrency: 4, rpm: 1_000_000 }, { log });
  if (!llm) throw new Error('the LLM client was not created');
  const core = createCore({ db: withLlm.db, changes: withLlm.changes, llm, log });
  const plain = createCore({ db: withoutLlm.db, changes: withoutLlm.changes, log });
  const household = await core.households.ensure('bench');
  const plainHousehold = await plain.households.ensure('bench');

  const sides = [
    { core, householdId: household.id },
    { core: plain, householdId: plainHousehold.id },
  ];
  fake.setDefault(answerAll);
  // Warm-up on other names, so neither side pays for the first queries and JIT.
  await addSideBySide(sides, unknownNames(itemCount + 20).slice(itemCount));
  fake.reset();
  fake.setDefault(answerAll);
  const structured = llm.structured.bind(llm);
  let llmWaitMs = 0;
  llm.structured = async (...args) => {
    const started = performance.now();
    try {
      return await structured(...args);
    } finally {
      llmWaitMs += performance.now() - started;
    }
  };
  const [llmMs = Number.NaN, baselineMs = Number.NaN] = await addSideBySide(sides, names);
  const calls = fake.calls.filter((call) => call.path === '/v1/chat/completions').length;
  const asked = fake.calls.reduce((sum, call) => sum + askedNames(call).length, 0);

  const list = await core.lists.get(newRequest(household.id, { door: 'cli', name: 'bench' }));
  const measuredNames = new Set(names);
  const byLlm = list.items.filter((item) => measuredNames.has(item.name) && item.category !== 'Other').length;

  fake.reset();
  fake.setDefault(answerAll);
  const [againMs = Number.NaN] = await addSideBySide(sides.slice(0, 1), names);
  const againCalls = fake.calls.length;

  console.log(`items           ${names.length} new (unknown to the catalog), ${Math.ceil(names.length / batchSize)} adds of ${batchSize}; fake LLM latency ${latencyMs} ms`);
  console.log(`LLM calls       ${calls} (${asked} names asked; target ≤ ${TARGET_CALLS})${calls > TARGET_CALLS ? '  MISSES' : ''}`);
  console.log(`categorized     ${byLlm} of ${names.length} by the LLM`);
  console.log(`time            ${(llmMs / 1000).toFixed(2)} s with the LLM, ${(baselineMs / 1000).toFixed(2)} s with none (baseline)`);
  console.log(`ratio           ${(llmMs / baselineMs).toFixed(2)} (with ÷ without the LLM stage); ${(llmWaitMs / 1000).toFixed(2)} s of it waiting on the LLM client`);
  console.log(`second pass     ${againCalls} LLM calls, ${(againMs / 1000).toFixed(2)} s (the answers are remembered; all merge)`);
  if (calls > TARGET_CALLS) process.exitCode = 1;
} finally {
  await Promise.all([withLlm.close(), withoutLlm.close()]);
  await fake.close();
}
