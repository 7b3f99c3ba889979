/**
 * LLM calls per message on a mixed set of household messages: everyday ones should take the
 * fast path (no call); the rest go to the agent. The fake LLM answers at once with plain text,
 * so an agent message costs exactly one call here (a real model may call tools first).
 *
 * Run: npx tsx bench/chat-llm-calls.ts
 */
import fs from 'node:fs';
import { assistantFor } from '../src/core/assistant/assistant.ts';
import { newRequest } from '../src/core/context.ts';
import { createCore } from '../src/core/core.ts';
import { openDatabase } from '../src/core/db/client.ts';
import { createLlm } from '../src/core/llm/llm.ts';
import { silentLogger } from '../src/core/log.ts';
import { startFakeOpenAi } from '../test/support/fake-openai.ts';

const corpusPath = new URL('../../shared/corpus/phrases.public.jsonl', import.meta.url);
const corpus = fs.existsSync(corpusPath)
  ? fs
      .readFileSync(corpusPath, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => (JSON.parse(line) as { text: string }).text)
  : [];
const everyday = [
  'add 1 l milk, eggs and a loaf of bread',
  'add 2 l milk',
  'we need nappies',
  'show the list',
  "what's on the costco list?",
  'got the milk',
  'bought eggs and butter',
  "we're out of rice",
  'almost out of dish soap',
  'running low on olive oil',
  'what is expiring soon',
  'what can I cook tonight?',
  'remind me at 6pm to take the fish out of the freezer',
  'remove the yogurt',
  'add apples bananas and oranges',
];
const chat = [
  'I love milk',
  'thanks!',
  'can you plan dinners for the week with what we have',
  'my sister is coming over, she is vegan, sort something out',
  'how long does cooked rice keep in the fridge?',
];
const messages = [...corpus, ...everyday, ...chat];

const fake = await startFakeOpenAi();
fake.setDefault({ kind: 'text', content: 'ok' });
const database = await openDatabase({ kind: 'pglite', dataDir: null });
try {
  await database.migrate();
  const llm = createLlm({ baseURL: fake.url, apiKey: 'bench', model: 'fake', concurrency: 4, rpm: 100_000 }, { log: silentLogger() });
  const core = createCore({ db: database.db, changes: database.changes, llm });
  const assistant = assistantFor(core);
  const household = await core.households.ensure('bench');
  await core.lists.create(newRequest(household.id, { door: 'cli', name: 'bench' }), { name: 'Costco', store: 'Costco' });
  await core.lists.create(newRequest(household.id, { door: 'cli', name: 'bench' }), { name: 'Aldi', store: 'Aldi' });
  await core.lists.create(newRequest(household.id, { door: 'cli', name: 'bench' }), { name: 'Target', store: 'Target' });
  let fastPath = 0;
  for (const text of messages) {
    const before = fake.calls.length;
    await assistant.handle(newRequest(household.id, { door: 'cli', name: 'bench' }), text);
    if (fake.calls.length === before) fastPath++;
  }
  const chatCalls = fake.calls.filter((call) => Array.isArray((call.body as { tools?: unknown }).tools)).length;
  console.log(`messages          ${messages.length} (${corpus.length} public examples, ${everyday.length} everyday, ${chat.length} chat)`);
  console.log(`fast path         ${fastPath} (${((100 * fastPath) / messages.length).toFixed(0)}%)`);
  console.log(`LLM calls         ${fake.calls.length} (${chatCalls} agent, ${fake.calls.length - chatCalls} categorization)`);
  console.log(`calls per message ${(fake.calls.length / messages.length).toFixed(2)}`);
} finally {
  await database.close();
  await fake.close();
}
