/**
 * Fast-path parser throughput: messages per second of `parseMessage` (with the real catalog's
 * `isItem`) over a mixed corpus, beside a trivial tokenizer over the same corpus in the same run.
 *
 * Run: npx tsx bench/parser.ts [--generated 400] [--seconds 2]
 * The ratio says how many times slower than `toLowerCase().split(/\s+/)` the parser is; it is
 * stable across machines where raw rates are not.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { createCatalog } from '../src/core/catalog/catalog.ts';
import { parseMessage, type ParseResult } from '../src/core/nlp/parser.ts';

const { values } = parseArgs({
  options: {
    generated: { type: 'string', default: '400' },
    seconds: { type: 'string', default: '2' },
  },
});
const generatedCount = Number(values.generated);
const seconds = Number(values.seconds);

const PUBLIC_PHRASES = new URL('../../shared/corpus/phrases.public.jsonl', import.meta.url);

/** The public phrases, when the shared corpus is on this machine. */
function publicPhrases(): string[] {
  if (!fs.existsSync(PUBLIC_PHRASES)) return [];
  return fs
    .readFileSync(PUBLIC_PHRASES, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { text: string }).text);
}

/** A small deterministic generator (mulberry32), so every run parses the same corpus. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ITEMS = ['milk', 'eggs', 'bread', 'apples', 'bananas', 'rice', 'olive oil', 'tea bags', 'greek yogurt', 'frozen peas', 'chicken thighs', 'cheddar', 'coffee', 'toilet paper', 'dish soap', 'oat milk', 'tomatoes', 'pasta', 'peanut butter', 'mac and cheese'];
const QUANTITIES = ['', '2 ', '3 ', 'a dozen ', '1 l ', '500 g ', '2 bottles of ', 'a bag of '];
const STORES = ['', '', ' to costco', ' to the aldi list', ' on the shopping list'];

/** Everyday messages of every intent the fast path knows, plus some it must hand to the LLM. */
function generated(count: number): string[] {
  const next = random(42);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
  const items = (n: number) => {
    const chosen = Array.from({ length: n }, () => `${pick(QUANTITIES)}${pick(ITEMS)}`);
    return chosen.length > 1 ? `${chosen.slice(0, -1).join(', ')} and ${chosen.at(-1) ?? ''}` : (chosen[0] ?? '');
  };
  const templates: Array<() => string> = [
    () => `add ${items(1 + Math.floor(next() * 4))}${pick(STORES)}`,
    () => `we need ${items(1 + Math.floor(next() * 3))}`,
    () => `can you put ${items(2)} on the list please`,
    () => `${pick(ITEMS)} ${pick(ITEMS)} ${pick(ITEMS)}`,
    () => `remove ${pick(ITEMS)}${pick(STORES).replace(' to ', ' from ')}`,
    () => `got the ${pick(ITEMS)}`,
    () => `we're out of ${pick(ITEMS)}`,
    () => `running low on ${pick(ITEMS)}`,
    () => `what's on the ${pick(['costco', 'shopping', 'aldi'])} list?`,
    () => `what's expiring soon?`,
    () => `what can I cook tonight?`,
    () => `remind me to ${pick(['call the plumber', 'defrost the chicken', 'buy a present'])} ${pick(['tomorrow at 9', 'on friday', 'in 2 hours', ''])}`,
    () => `hey @larder_bot how was your weekend? we should plan the party for saturday`,
    () => `${pick(ITEMS)}`,
  ];
  return Array.from({ length: count }, () => pick(templates)().trim());
}

/** Runs `work` over the corpus until `budgetMs` passes; messages per second. */
function rate(corpus: readonly string[], work: (text: string) => unknown, budgetMs: number): number {
  let sink = 0;
  let messages = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (const text of corpus) {
      const out = work(text);
      if (out !== null) sink++;
    }
    messages += corpus.length;
    elapsed = performance.now() - started;
  }
  if (sink < 0) console.log(sink); // keeps the results alive
  return (messages / elapsed) * 1000;
}

const catalogStarted = performance.now();
const catalog = createCatalog();
const catalogMs = performance.now() - catalogStarted;
const options = { now: new Date('2026-03-02T09:00:00Z'), timeZone: 'Europe/Stockholm', isKnownItem: (phrase: string) => catalog.isItem(phrase) };

const fromPublic = publicPhrases();
const corpus = [...fromPublic, ...generated(generatedCount)];
const intents = new Map<string, number>();
for (const text of corpus) {
  const result: ParseResult = parseMessage(text, options);
  intents.set(result.intent, (intents.get(result.intent) ?? 0) + 1);
}

// Warm both paths, then measure them alternately so a noisy neighbour hits both alike.
const budget = (seconds * 1000) / 4;
rate(corpus, (text) => parseMessage(text, options), 200);
rate(corpus, (text) => text.toLowerCase().split(/\s+/), 200);
const parserRates: number[] = [];
const baselineRates: number[] = [];
for (let round = 0; round < 2; round++) {
  parserRates.push(rate(corpus, (text) => parseMessage(text, options), budget));
  baselineRates.push(rate(corpus, (text) => text.toLowerCase().split(/\s+/), budget));
}
const parserRate = Math.max(...parserRates);
const baselineRate = Math.max(...baselineRates);

console.log(`corpus          ${corpus.length} messages (${fromPublic.length} public, ${corpus.length - fromPublic.length} generated)`);
console.log(`intents         ${[...intents].sort((a, b) => b[1] - a[1]).map(([intent, n]) => `${intent} ${n}`).join(', ')}`);
console.log(`catalog build   ${catalogMs.toFixed(0)} ms (${catalog.size} items)`);
console.log(`parser          ${parserRate.toFixed(0)} messages/s (${(1e6 / parserRate).toFixed(1)} µs each)`);
console.log(`baseline        ${baselineRate.toFixed(0)} messages/s (toLowerCase + split)`);
console.log(`ratio           ${(parserRate / baselineRate).toFixed(4)} (parser ÷ baseline; 1/${(baselineRate / parserRate).toFixed(0)})`);
