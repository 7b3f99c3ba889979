import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeKey } from '../../src/core/nlp/normalize.ts';
import { parseMessage, type Intent, type ParseOptions, type ParseResult } from '../../src/core/nlp/parser.ts';
import { parseQuantity } from '../../src/core/nlp/quantity.ts';
import { zonedDateTime } from '../../src/core/nlp/time.ts';

/** A small stand-in for the real catalog: whole names, plural or singular. */
const CATALOG = new Set(
  [
    'milk', 'egg', 'bread', 'coffee', 'sugar', 'tea bag', 'tea', 'onion', 'red onion', 'toilet paper', 'peanut butter', 'jelly',
    'yogurt', 'cheese', 'apple', 'pear', 'butter', 'banana', 'rice', 'olive oil', 'pasta', 'orange', 'mac and cheese',
    'fish and chips', 'salt and vinegar crisps', 'crisps', 'flour', 'chicken', 'chicken breast', 'dish soap', 'nappy', 'tomato',
    'garlic', 'lettuce', 'ice cream', 'salt', 'pepper', 'wine', 'beer', 'water', 'juice', 'orange juice', 'cereal', 'oat', 'soap',
    'spinach', 'carrot', 'potato', 'ketchup', 'mayo', 'lemon', 'lime', 'cucumber', 'ham', 'bacon', 'sausage', 'mince', 'beef',
    'salmon', 'tuna', 'bean', 'green bean', 'strawberry', 'grape', 'avocado', 'ice', 'kitchen roll', 'paper towel', 'shampoo',
    'toothpaste', 'detergent', 'cream', 'sour cream', 'oat milk', 'can opener', 'dog food', 'cat food', 'bagel', 'tortilla',
    'hummus', 'coke', 'chocolate', 'biscuit', 'cookie', 'cracker', 'honey', 'jam', 'vinegar', 'soy sauce', 'garlic bread', 'oil',
    'foil', 'bin bag', 'frozen pea', 'greek yogurt', 'ben & jerry\'s', 'mushroom', 'yoghurt', 'baby wipe', 'diaper', 'bleach',
    'sponge', 'washing up liquid', 'parmesan', 'mozzarella', 'feta', 'lasagne sheet', 'tinned tomato', 'chickpea', 'lentil',
    'spaghetti', 'noodles', 'broccoli', 'cauliflower', 'zucchini', 'pepperoni', 'pizza', 'bread roll', 'croissant', 'muffin',
    'granola', 'oatmeal', 'almond milk', 'soy milk', 'cream cheese', 'corn on the cob', 'tuna in oil', 'salt and pepper',
    'extra virgin olive oil', 'trash bag', 'paper plate', 'sparkling water', 'lemonade', 'cola', 'kombucha', 'kimchi', 'tofu',
  ].map(normalizeKey),
);
const isKnownItem = (phrase: string): boolean => CATALOG.has(normalizeKey(phrase));

// Friday 28 March 2025, 11:00 in Stockholm.
const NOW = new Date('2025-03-28T10:00:00Z');
const OPTIONS: ParseOptions = { now: NOW, timeZone: 'Europe/Stockholm', isKnownItem };
const parse = (text: string, options: ParseOptions = OPTIONS): ParseResult => parseMessage(text, options);

function localDue(iso: string | null | undefined): string | null {
  if (iso === null || iso === undefined) return null;
  const t = zonedDateTime(new Date(iso), 'Europe/Stockholm');
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}`;
}

// ---------------------------------------------------------------------------------------------
// The public corpus

interface CorpusLine {
  text: string;
  expect: { intent: Intent; list?: string | null; items?: Array<{ name: string; quantity?: string }>; status?: string; task?: { title: string } };
}

const CORPUS_URL = new URL('../../../shared/corpus/phrases.public.jsonl', import.meta.url);
const corpus: CorpusLine[] = existsSync(CORPUS_URL)
  ? readFileSync(CORPUS_URL, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as CorpusLine)
  : [];

/** Compares as the corpus README says: names lowercase, plural = singular, quantity only where given. */
function corpusMismatch(line: CorpusLine, result: ParseResult): string | null {
  const want = line.expect;
  if (result.intent !== want.intent) return `intent ${result.intent} ≠ ${want.intent}`;
  if (want.list !== undefined && result.list !== want.list) return `list ${String(result.list)} ≠ ${String(want.list)}`;
  if (want.status !== undefined && result.status !== want.status) return `status ${String(result.status)} ≠ ${want.status}`;
  if (want.task !== undefined && result.task?.title.toLowerCase() !== want.task.title.toLowerCase()) {
    return `task ${JSON.stringify(result.task)} ≠ ${JSON.stringify(want.task)}`;
  }
  if (want.items !== undefined) {
    if (result.items.length !== want.items.length) return `items ${JSON.stringify(result.items)} ≠ ${JSON.stringify(want.items)}`;
    for (const [index, item] of want.items.entries()) {
      const got = result.items[index];
      if (got === undefined || normalizeKey(got.name) !== normalizeKey(item.name)) return `item ${index}: ${JSON.stringify(got)} ≠ ${JSON.stringify(item)}`;
      if (item.quantity !== undefined && got.quantity !== item.quantity) return `quantity ${index}: ${String(got.quantity)} ≠ ${item.quantity}`;
    }
  }
  return null;
}

describe('public corpus', () => {
  it.skipIf(corpus.length === 0)('parses every line of phrases.public.jsonl', () => {
    const failures: string[] = [];
    for (const line of corpus) {
      const mismatch = corpusMismatch(line, parse(line.text));
      if (mismatch !== null) failures.push(`${JSON.stringify(line.text)}: ${mismatch}`);
    }
    const accuracy = ((corpus.length - failures.length) / corpus.length) * 100;
    console.log(`public corpus: ${corpus.length - failures.length}/${corpus.length} (${accuracy.toFixed(1)}%)`);
    expect(failures).toEqual([]);
  });

  it.runIf(corpus.length === 0)('is skipped: ../shared/corpus/phrases.public.jsonl is not there', () => {
    console.warn(`public corpus not found at ${CORPUS_URL.pathname}; skipping it`);
  });
});

// ---------------------------------------------------------------------------------------------
// Our own phrases

/** An expected item: "milk" or "milk|2 l" (name|quantity). */
type ItemSpec = string;
interface Expectation {
  list?: string | null;
  items?: ItemSpec[];
  status?: 'have' | 'low' | 'out';
  title?: string;
  /** Local Stockholm time "YYYY-MM-DD HH:mm", or null for no due time. */
  due?: string | null;
}
type Row = [text: string, intent: Intent, expectation?: Expectation];

function items(...specs: ItemSpec[]): Expectation {
  return { items: specs };
}

const ADD: Row[] = [
  ['add milk', 'add_items', items('milk')],
  ['Add milk', 'add_items', items('milk')],
  ['ADD MILK', 'add_items', items('milk')],
  ['add milk.', 'add_items', items('milk')],
  ['add milk!!', 'add_items', items('milk')],
  ['add milk, eggs and bread', 'add_items', items('milk', 'eggs', 'bread')],
  ['add milk, eggs, and bread', 'add_items', items('milk', 'eggs', 'bread')],
  ['add milk eggs and bread', 'add_items', items('milk', 'eggs', 'bread')],
  ['add apples bananas and oranges to costco', 'add_items', { list: 'costco', items: ['apples', 'bananas', 'oranges'] }],
  ['add apples bananas oranges', 'add_items', items('apples', 'bananas', 'oranges')],
  ['add mac and cheese', 'add_items', items('mac and cheese')],
  ['add mac and cheese and apples', 'add_items', items('mac and cheese', 'apples')],
  ['add apples and mac and cheese', 'add_items', items('apples', 'mac and cheese')],
  ['add fish and chips', 'add_items', items('fish and chips')],
  ['add salt and vinegar crisps', 'add_items', items('salt and vinegar crisps')],
  ['add salt and pepper', 'add_items', items('salt and pepper')],
  ['add bread and butter', 'add_items', items('bread', 'butter')],
  ["add ben & jerry's", 'add_items', items("ben & jerry's")],
  ['add cheese & ham', 'add_items', items('cheese', 'ham')],
  ['add milk plus eggs', 'add_items', items('milk', 'eggs')],
  ['add milk + eggs', 'add_items', items('milk', 'eggs')],
  ['add milk; eggs; bread', 'add_items', items('milk', 'eggs', 'bread')],
  ['add chicken breast', 'add_items', items('chicken breast')],
  ['add red onions', 'add_items', items('red onions')],
  ['add extra virgin olive oil', 'add_items', items('extra virgin olive oil')],
  ['add extra virgin olive oil and bread', 'add_items', items('extra virgin olive oil', 'bread')],
  ['add corn on the cob', 'add_items', items('corn on the cob')],
  ['add tuna in oil', 'add_items', items('tuna in oil')],
  ['add cream of mushroom soup', 'add_items', items('cream of mushroom soup')],
  ['add zaatar', 'add_items', items('zaatar')],
  ['add gochujang and kimchi', 'add_items', items('gochujang', 'kimchi')],
  ['add a can opener', 'add_items', items('can opener|1')],
  ['add onions', 'add_items', items('onions')],
  ['add instant coffee', 'add_items', items('instant coffee')],
  ['add fish & chips', 'add_items', items('fish & chips')],
  ['add mac n cheese', 'add_items', items('mac n cheese')],
  ['add 7up', 'add_items', items('7up')],
  ['add 2% milk', 'add_items', items('2% milk')],
  ['add size 4 nappies', 'add_items', items('size 4 nappies')],
  ['add nappies size 4', 'add_items', items('nappies size 4')],
  ['add 2 ear plugs', 'add_items', items('ear plugs|2')],
  ['put milk on the list', 'add_items', items('milk')],
  ['put milk on my list', 'add_items', items('milk')],
  ['put eggs on the shopping list', 'add_items', { list: 'shopping', items: ['eggs'] }],
  ['put bread on the aldi list', 'add_items', { list: 'aldi', items: ['bread'] }],
  ['stick butter on the list', 'add_items', items('butter')],
  ['throw some bananas on the list', 'add_items', items('bananas')],
  ['pop cheese on the list', 'add_items', items('cheese')],
  ['write down milk', 'add_items', items('milk')],
  ['add milk to the list', 'add_items', items('milk')],
  ['add milk to list', 'add_items', items('milk')],
  ['add milk to my list', 'add_items', items('milk')],
  ['add milk to the shopping list', 'add_items', { list: 'shopping', items: ['milk'] }],
  ['add milk to the grocery list', 'add_items', { list: 'grocery', items: ['milk'] }],
  ['add milk to groceries', 'add_items', { list: 'groceries', items: ['milk'] }],
  ['add milk to costco', 'add_items', { list: 'costco', items: ['milk'] }],
  ['add milk to the costco list', 'add_items', { list: 'costco', items: ['milk'] }],
  ["add milk to costco's list", 'add_items', { list: 'costco', items: ['milk'] }],
  ['add milk to the costco shopping list', 'add_items', { list: 'costco', items: ['milk'] }],
  ['add milk to the list for aldi', 'add_items', { list: 'aldi', items: ['milk'] }],
  ['add milk to trader joes', 'add_items', { list: 'trader joes', items: ['milk'] }],
  ["add milk to trader joe's", 'add_items', { list: "trader joe's", items: ['milk'] }],
  ["what's on the trader joe's list", 'show_list', { list: "trader joe's" }],
  ['add milk to the 7-eleven list', 'add_items', { list: '7-eleven', items: ['milk'] }],
  ['add to costco: milk, eggs', 'add_items', { list: 'costco', items: ['milk', 'eggs'] }],
  ['add to the costco list milk and eggs', 'add_items', { list: 'costco', items: ['milk', 'eggs'] }],
  ['milk to the costco list', 'add_items', { list: 'costco', items: ['milk'] }],
  ['eggs and bread to the aldi list', 'add_items', { list: 'aldi', items: ['eggs', 'bread'] }],
  ['milk to costco', 'add_items', { list: 'costco', items: ['milk'] }],
  ['costco: milk, eggs', 'add_items', { list: 'costco', items: ['milk', 'eggs'] }],
  ['we need milk', 'add_items', items('milk')],
  ['We need milk', 'add_items', items('milk')],
  ['need eggs', 'add_items', items('eggs')],
  ['I need milk', 'add_items', items('milk')],
  ["we'll need eggs", 'add_items', items('eggs')],
  ['we also need bread', 'add_items', items('bread')],
  ['we still need cheese', 'add_items', items('cheese')],
  ['we need more milk', 'add_items', items('milk')],
  ['we need some eggs', 'add_items', items('eggs')],
  ['we need 3 onions', 'add_items', items('onions|3')],
  ['we need milk from costco', 'add_items', { list: 'costco', items: ['milk'] }],
  ['we need to buy milk', 'add_items', items('milk')],
  ['we need to get eggs and bread', 'add_items', items('eggs', 'bread')],
  ['we have to buy milk', 'add_items', items('milk')],
  ['we could use some bread', 'add_items', items('bread')],
  ['we should get coffee', 'add_items', items('coffee')],
  ['gotta get milk', 'add_items', items('milk')],
  ['get bread', 'add_items', items('bread')],
  ['get milk at costco', 'add_items', { list: 'costco', items: ['milk'] }],
  ['get me some milk', 'add_items', items('milk')],
  ['buy wine', 'add_items', items('wine')],
  ['buy toilet paper at target', 'add_items', { list: 'target', items: ['toilet paper'] }],
  ['buy milk at the store', 'add_items', items('milk')],
  ['buy milk at the supermarket', 'add_items', items('milk')],
  ['buy more coffee', 'add_items', items('coffee')],
  ['pick up some bananas', 'add_items', items('bananas')],
  ['pick up milk from aldi', 'add_items', { list: 'aldi', items: ['milk'] }],
  ['grab some milk', 'add_items', items('milk')],
  ['grab milk on the way home', 'add_items', items('milk')],
  ['get some milk on your way home', 'add_items', items('milk')],
  ['bring home some bread', 'add_items', items('bread')],
  ['order dog food', 'add_items', items('dog food')],
  ['can you add eggs?', 'add_items', items('eggs')],
  ['could you add eggs please', 'add_items', items('eggs')],
  ['can you please add milk to costco', 'add_items', { list: 'costco', items: ['milk'] }],
  ['please add butter', 'add_items', items('butter')],
  ['pls add butter', 'add_items', items('butter')],
  ['add butter please', 'add_items', items('butter')],
  ['add butter thanks', 'add_items', items('butter')],
  ['add butter, thank you!', 'add_items', items('butter')],
  ['also add jam', 'add_items', items('jam')],
  ['oh and add jam', 'add_items', items('jam')],
  ["let's add jam", 'add_items', items('jam')],
  ["don't forget the cheese", 'add_items', items('cheese')],
  ["don't forget to buy cheese", 'add_items', items('cheese')],
  ['dont forget milk', 'add_items', items('milk')],
  ['remember milk', 'add_items', items('milk')],
  ['remember to get eggs', 'add_items', items('eggs')],
  ['add milk too', 'add_items', items('milk')],
  ['add milk as well', 'add_items', items('milk')],
  ['add milk and also eggs', 'add_items', items('milk', 'eggs')],
  ['add milk, and eggs too', 'add_items', items('milk', 'eggs')],
  ['add milk for dinner', 'add_items', items('milk')],
  ['add chicken for the bbq', 'add_items', items('chicken')],
  ['add milk tomorrow', 'add_items', items('milk')],
  ['add milk on the way home', 'add_items', items('milk')],
  ['add another milk', 'add_items', items('milk|1')],
  ['more milk please', 'add_items', items('milk')],
  ['hey larder add milk', 'add_items', items('milk')],
  ['Larder, add milk', 'add_items', items('milk')],
  ['@larder_bot add milk to costco', 'add_items', { list: 'costco', items: ['milk'] }],
  ['add milk @larder_bot', 'add_items', items('milk')],
  ['Add Milk To Costco!!', 'add_items', { list: 'costco', items: ['milk'] }],
  ['hi! add milk', 'add_items', items('milk')],
  ['ok add milk', 'add_items', items('milk')],
  ['add milk 🥛', 'add_items', items('milk')],
  ['“add milk”', 'add_items', items('milk')],
  ['add: milk, eggs', 'add_items', items('milk', 'eggs')],
  ['add milk\neggs\nbread', 'add_items', items('milk', 'eggs', 'bread')],
  ['- milk\n- eggs\n- bread', 'add_items', items('milk', 'eggs', 'bread')],
  ['milk', 'add_items', items('milk')],
  ['coffee!!!', 'add_items', items('coffee')],
  ['yes please add milk', 'add_items', items('milk')],
  ['no, add eggs', 'add_items', items('eggs')],
  ['milk, eggs and bread', 'add_items', items('milk', 'eggs', 'bread')],
  ['apples bananas and oranges', 'add_items', items('apples', 'bananas', 'oranges')],
  ['eggs please', 'add_items', items('eggs')],
  ['add rice to the pantry', 'pantry_set', { status: 'have', items: ['rice'] }],
  ['add milk, eggs, bread, butter, cheese, apples, bananas, oranges, rice, pasta, flour, sugar, coffee', 'add_items',
    items('milk', 'eggs', 'bread', 'butter', 'cheese', 'apples', 'bananas', 'oranges', 'rice', 'pasta', 'flour', 'sugar', 'coffee')],
];

const QUANTITIES: Row[] = [
  ['add 2 l milk', 'add_items', items('milk|2 l')],
  ['add 2l milk', 'add_items', items('milk|2 l')],
  ['add 2 liters of milk', 'add_items', items('milk|2 l')],
  ['add 2 litres of milk', 'add_items', items('milk|2 l')],
  ['add a litre of milk', 'add_items', items('milk|1 l')],
  ['add 1,5 l milk', 'add_items', items('milk|1.5 l')],
  ['add 1.5 l milk', 'add_items', items('milk|1.5 l')],
  ['add 1½ kg flour', 'add_items', items('flour|1.5 kg')],
  ['add ½ kg butter', 'add_items', items('butter|0.5 kg')],
  ['add half a kilo of mince', 'add_items', items('mince|0.5 kg')],
  ['add a dozen eggs', 'add_items', items('eggs|12')],
  ['add half a dozen eggs', 'add_items', items('eggs|6')],
  ['add two dozen eggs', 'add_items', items('eggs|24')],
  ['add two cartons of milk', 'add_items', items('milk|2 cartons')],
  ['add 3 onions', 'add_items', items('onions|3')],
  ['add three onions', 'add_items', items('onions|3')],
  ['add an onion', 'add_items', items('onion|1')],
  ['add a cucumber', 'add_items', items('cucumber|1')],
  ['add a loaf of bread', 'add_items', items('bread|1 loaf')],
  ['add 2 loaves of bread', 'add_items', items('bread|2 loaves')],
  ['add 1 kg of flour', 'add_items', items('flour|1 kg')],
  ['add 500g butter', 'add_items', items('butter|500 g')],
  ['add 500 g of butter', 'add_items', items('butter|500 g')],
  ['add 2 lbs of beef', 'add_items', items('beef|2 lb')],
  ['add some apples', 'add_items', items('apples')],
  ['add a few apples', 'add_items', items('apples|a few')],
  ['add a couple of apples', 'add_items', items('apples|2')],
  ['add lots of apples', 'add_items', items('apples|lots')],
  ['add 2 bottles of wine', 'add_items', items('wine|2 bottles')],
  ['add a bottle of wine', 'add_items', items('wine|1 bottle')],
  ['add 6 cans of coke', 'add_items', items('coke|6 cans')],
  ['add twenty-four cans of coke', 'add_items', items('coke|24 cans')],
  ['add 2 cans tomatoes', 'add_items', items('tomatoes|2 cans')],
  ['add a bag of ice', 'add_items', items('ice|1 bag')],
  ['add one bag of frozen peas', 'add_items', items('frozen peas|1 bag')],
  ['add bag of ice', 'add_items', items('ice|1 bag')],
  ['add a bunch of bananas', 'add_items', items('bananas|1 bunch')],
  ['add 2 heads of lettuce', 'add_items', items('lettuce|2 heads')],
  ['add 3 cloves of garlic', 'add_items', items('garlic|3 cloves')],
  ['add a box of cereal', 'add_items', items('cereal|1 box')],
  ['add a jar of honey', 'add_items', items('honey|1 jar')],
  ['add a pack of bacon', 'add_items', items('bacon|1 pack')],
  ['add 4 rolls of toilet paper', 'add_items', items('toilet paper|4 rolls')],
  ['add 3 x milk', 'add_items', items('milk|3')],
  ['add 3x milk', 'add_items', items('milk|3')],
  ['add milk x 2', 'add_items', items('milk|2')],
  ['add eggs x12', 'add_items', items('eggs|12')],
  ['add milk 2 l', 'add_items', items('milk|2 l')],
  ['add milk (2l)', 'add_items', items('milk|2 l')],
  ['add milk - 2 litres', 'add_items', items('milk|2 l')],
  ['add 2 x 400g tinned tomatoes', 'add_items', items('tinned tomatoes|800 g')],
  ['add 2 x 1l milk', 'add_items', items('milk|2 l')],
  ['add a six pack of beer', 'add_items', items('beer|1 six-pack')],
  ['add a gallon of milk', 'add_items', items('milk|1 gal')],
  ['we need eggs, milk and a loaf of bread', 'add_items', items('eggs', 'milk', 'bread|1 loaf')],
  ['add 2 bottles + 1 kg of rice', 'add_items', items('rice|2 bottles + 1 kg')],
  ['add 2 l milk and a dozen eggs', 'add_items', items('milk|2 l', 'eggs|12')],
  ['add 2 l milk a dozen eggs and bread', 'add_items', items('milk|2 l', 'eggs|12', 'bread')],
  ['add 1 l milk, eggs and a loaf of bread', 'add_items', items('milk|1 l', 'eggs', 'bread|1 loaf')],
  ['add 2 mac and cheese', 'add_items', items('mac and cheese|2')],
  ['need 2 kg of potatoes from costco', 'add_items', { list: 'costco', items: ['potatoes|2 kg'] }],
  ['we have 2 cartons of milk', 'pantry_set', { status: 'have', items: ['milk|2 cartons'] }],
  ['remove 2 apples', 'remove_items', items('apples|2')],
];

const REMOVE: Row[] = [
  ['remove milk', 'remove_items', items('milk')],
  ['remove the yogurt', 'remove_items', items('yogurt')],
  ['remove milk from the list', 'remove_items', items('milk')],
  ['remove eggs from the shopping list', 'remove_items', { list: 'shopping', items: ['eggs'] }],
  ['remove eggs from costco', 'remove_items', { list: 'costco', items: ['eggs'] }],
  ['delete eggs and butter from groceries', 'remove_items', { list: 'groceries', items: ['eggs', 'butter'] }],
  ['delete the bread', 'remove_items', items('bread')],
  ['drop the milk', 'remove_items', items('milk')],
  ['scratch the bread', 'remove_items', items('bread')],
  ['scratch bread from the aldi list', 'remove_items', { list: 'aldi', items: ['bread'] }],
  ['never mind the eggs', 'remove_items', items('eggs')],
  ['nevermind the eggs', 'remove_items', items('eggs')],
  ['no need for cheese', 'remove_items', items('cheese')],
  ["we don't need milk anymore", 'remove_items', items('milk')],
  ["we don't need milk", 'remove_items', items('milk')],
  ["don't buy eggs", 'remove_items', items('eggs')],
  ["don't get the bread after all", 'remove_items', items('bread')],
  ['forget the milk', 'remove_items', items('milk')],
  ['forget about the milk', 'remove_items', items('milk')],
  ['skip the cheese this week', 'remove_items', items('cheese')],
  ['take off the milk', 'remove_items', items('milk')],
  ['take milk off', 'remove_items', items('milk')],
  ['take milk off the list', 'remove_items', items('milk')],
  ['take cheese off the aldi list', 'remove_items', { list: 'aldi', items: ['cheese'] }],
  ['take cheese and ham off costco', 'remove_items', { list: 'costco', items: ['cheese', 'ham'] }],
  ['get rid of the butter', 'remove_items', items('butter')],
  ['milk off the list', 'remove_items', items('milk')],
  ['please remove the eggs', 'remove_items', items('eggs')],
  ['oops remove the eggs', 'remove_items', items('eggs')],
  ['can you remove the eggs?', 'remove_items', items('eggs')],
  ['Remove Eggs From Costco', 'remove_items', { list: 'costco', items: ['eggs'] }],
];

const CHECK: Row[] = [
  ['got the milk', 'check_items', items('milk')],
  ['got milk and eggs', 'check_items', items('milk', 'eggs')],
  ['I got the bread', 'check_items', items('bread')],
  ['we got the milk', 'check_items', items('milk')],
  ['just got the bread', 'check_items', items('bread')],
  ['bought eggs and butter', 'check_items', items('eggs', 'butter')],
  ['I bought the cheese', 'check_items', items('cheese')],
  ['bought the bread at aldi', 'check_items', { list: 'aldi', items: ['bread'] }],
  ['got milk from costco', 'check_items', { list: 'costco', items: ['milk'] }],
  ['picked up the bread', 'check_items', items('bread')],
  ['grabbed the coffee', 'check_items', items('coffee')],
  ['check off bananas', 'check_items', items('bananas')],
  ['check bananas off', 'check_items', items('bananas')],
  ['check off bananas from the costco list', 'check_items', { list: 'costco', items: ['bananas'] }],
  ['check milk', 'check_items', items('milk')],
  ['tick off milk', 'check_items', items('milk')],
  ['tick milk off', 'check_items', items('milk')],
  ['tick milk off the list', 'check_items', items('milk')],
  ['cross off eggs', 'check_items', items('eggs')],
  ['cross milk off the list', 'check_items', items('milk')],
  ['cross milk off the costco list', 'check_items', { list: 'costco', items: ['milk'] }],
  ['mark milk as bought', 'check_items', items('milk')],
  ['mark milk done', 'check_items', items('milk')],
  ['mark off the eggs', 'check_items', items('eggs')],
  ['milk is done', 'check_items', items('milk')],
  ['milk done', 'check_items', items('milk')],
  ['eggs are in the cart', 'check_items', items('eggs')],
  ['milk and eggs done', 'check_items', items('milk', 'eggs')],
];

const SHOW: Row[] = [
  ['show the list', 'show_list', { list: null }],
  ['show list', 'show_list', { list: null }],
  ['show me the list', 'show_list', { list: null }],
  ['show my list', 'show_list', { list: null }],
  ['show me the grocery list', 'show_list', { list: 'grocery' }],
  ['show the costco list', 'show_list', { list: 'costco' }],
  ['show costco', 'show_list', { list: 'costco' }],
  ['show me costco', 'show_list', { list: 'costco' }],
  ['open the aldi list', 'show_list', { list: 'aldi' }],
  ['send me the list', 'show_list', { list: null }],
  ['check the list', 'show_list', { list: null }],
  ['list', 'show_list', { list: null }],
  ['the list', 'show_list', { list: null }],
  ['shopping list', 'show_list', { list: 'shopping' }],
  ['costco list', 'show_list', { list: 'costco' }],
  ['my list', 'show_list', { list: null }],
  ['list please', 'show_list', { list: null }],
  ["what's on the list", 'show_list', { list: null }],
  ["what's on the list?", 'show_list', { list: null }],
  ["what's on the costco list?", 'show_list', { list: 'costco' }],
  ['whats on the costco list', 'show_list', { list: 'costco' }],
  ['what is on the shopping list', 'show_list', { list: 'shopping' }],
  ["what's on costco", 'show_list', { list: 'costco' }],
  ["what's on the list for aldi", 'show_list', { list: 'aldi' }],
  ['what do we need', 'show_list', { list: null }],
  ['what do we need?', 'show_list', { list: null }],
  ['what do I need at aldi', 'show_list', { list: 'aldi' }],
  ['what do we need from costco', 'show_list', { list: 'costco' }],
  ['what do we still need', 'show_list', { list: null }],
  ['what do I need to buy', 'show_list', { list: null }],
  ['what should I buy at the store', 'show_list', { list: null }],
  ["what's left on the list", 'show_list', { list: null }],
  ["what's left", 'show_list', { list: null }],
  ['do we need anything from costco?', 'show_list', { list: 'costco' }],
  ['anything on the list?', 'show_list', { list: null }],
  ['show me what we need', 'show_list', { list: null }],
  ['hey @larder_bot whats on the list?', 'show_list', { list: null }],
  ['can I see the list', 'show_list', { list: null }],
];

const PANTRY: Row[] = [
  ["we're out of rice", 'pantry_set', { status: 'out', items: ['rice'] }],
  ['we are out of rice', 'pantry_set', { status: 'out', items: ['rice'] }],
  ['were out of rice', 'pantry_set', { status: 'out', items: ['rice'] }],
  ["we're out of milk and eggs", 'pantry_set', { status: 'out', items: ['milk', 'eggs'] }],
  ['we are totally out of coffee', 'pantry_set', { status: 'out', items: ['coffee'] }],
  ['out of milk!', 'pantry_set', { status: 'out', items: ['milk'] }],
  ["I'm out of shampoo", 'pantry_set', { status: 'out', items: ['shampoo'] }],
  ['we ran out of milk', 'pantry_set', { status: 'out', items: ['milk'] }],
  ['ran out of sugar', 'pantry_set', { status: 'out', items: ['sugar'] }],
  ["we've run out of coffee", 'pantry_set', { status: 'out', items: ['coffee'] }],
  ['no more bread', 'pantry_set', { status: 'out', items: ['bread'] }],
  ["there's no milk left", 'pantry_set', { status: 'out', items: ['milk'] }],
  ['no milk left', 'pantry_set', { status: 'out', items: ['milk'] }],
  ["we don't have any bread", 'pantry_set', { status: 'out', items: ['bread'] }],
  ['we have no eggs', 'pantry_set', { status: 'out', items: ['eggs'] }],
  ['finished the milk', 'pantry_set', { status: 'out', items: ['milk'] }],
  ['we finished the milk', 'pantry_set', { status: 'out', items: ['milk'] }],
  ['the kids finished the cereal', 'pantry_set', { status: 'out', items: ['cereal'] }],
  ['the kids drank all the milk', 'pantry_set', { status: 'out', items: ['milk'] }],
  ['used up the butter', 'pantry_set', { status: 'out', items: ['butter'] }],
  ['used the last of the eggs', 'pantry_set', { status: 'out', items: ['eggs'] }],
  ['the milk is finished', 'pantry_set', { status: 'out', items: ['milk'] }],
  ['milk is finished', 'pantry_set', { status: 'out', items: ['milk'] }],
  ['the bread is gone', 'pantry_set', { status: 'out', items: ['bread'] }],
  ["milk's gone", 'pantry_set', { status: 'out', items: ['milk'] }],
  ['eggs are all gone', 'pantry_set', { status: 'out', items: ['eggs'] }],
  ['the olive oil is empty', 'pantry_set', { status: 'out', items: ['olive oil'] }],
  ['running low on olive oil', 'pantry_set', { status: 'low', items: ['olive oil'] }],
  ["we're running low on olive oil", 'pantry_set', { status: 'low', items: ['olive oil'] }],
  ['getting low on coffee', 'pantry_set', { status: 'low', items: ['coffee'] }],
  ['low on sugar', 'pantry_set', { status: 'low', items: ['sugar'] }],
  ["we're short on sugar", 'pantry_set', { status: 'low', items: ['sugar'] }],
  ['almost out of dish soap', 'pantry_set', { status: 'low', items: ['dish soap'] }],
  ['nearly out of coffee', 'pantry_set', { status: 'low', items: ['coffee'] }],
  ["we're almost out of milk", 'pantry_set', { status: 'low', items: ['milk'] }],
  ['about to run out of toilet paper', 'pantry_set', { status: 'low', items: ['toilet paper'] }],
  ["we're running out of milk", 'pantry_set', { status: 'low', items: ['milk'] }],
  ['running out of eggs', 'pantry_set', { status: 'low', items: ['eggs'] }],
  ['rice is running low', 'pantry_set', { status: 'low', items: ['rice'] }],
  ['coffee is low', 'pantry_set', { status: 'low', items: ['coffee'] }],
  ["milk's low", 'pantry_set', { status: 'low', items: ['milk'] }],
  ['the eggs are almost gone', 'pantry_set', { status: 'low', items: ['eggs'] }],
  ['not much rice left', 'pantry_set', { status: 'low', items: ['rice'] }],
  ['milk low', 'pantry_set', { status: 'low', items: ['milk'] }],
  ['we have plenty of pasta', 'pantry_set', { status: 'have', items: ['pasta'] }],
  ["we've got loads of rice", 'pantry_set', { status: 'have', items: ['rice'] }],
  ['got plenty of coffee', 'pantry_set', { status: 'have', items: ['coffee'] }],
  ["there's plenty of milk", 'pantry_set', { status: 'have', items: ['milk'] }],
  ['we have enough eggs', 'pantry_set', { status: 'have', items: ['eggs'] }],
  ['we have milk', 'pantry_set', { status: 'have', items: ['milk'] }],
  ['we already have bread', 'pantry_set', { status: 'have', items: ['bread'] }],
  ['we still have cheese', 'pantry_set', { status: 'have', items: ['cheese'] }],
  ["we've got milk", 'pantry_set', { status: 'have', items: ['milk'] }],
  ['stocked up on rice', 'pantry_set', { status: 'have', items: ['rice'] }],
  ['we stocked up on pasta', 'pantry_set', { status: 'have', items: ['pasta'] }],
  ['restocked the coffee', 'pantry_set', { status: 'have', items: ['coffee'] }],
  ["what's in the pantry?", 'pantry_show'],
  ['what is in the pantry', 'pantry_show'],
  ["what's in the fridge", 'pantry_show'],
  ["what's in the freezer?", 'pantry_show'],
  ['what do we have', 'pantry_show'],
  ['what have we got', 'pantry_show'],
  ['what do we have at home', 'pantry_show'],
  ['what food do we have', 'pantry_show'],
  ["what's in stock", 'pantry_show'],
  ['show pantry', 'pantry_show'],
  ['show me the pantry', 'pantry_show'],
  ['show the fridge', 'pantry_show'],
  ['pantry', 'pantry_show'],
  ['the pantry', 'pantry_show'],
  ['inventory', 'pantry_show'],
  ['do we have any eggs?', 'pantry_show', items('eggs')],
  ['do we have milk', 'pantry_show', items('milk')],
  ['have we got any bread?', 'pantry_show', items('bread')],
  ['is there any milk left?', 'pantry_show', items('milk')],
  ['how many eggs do we have', 'pantry_show', items('eggs')],
  ['how much rice is left', 'pantry_show', items('rice')],
];

const QUESTIONS: Row[] = [
  ['what is expiring soon', 'expiring'],
  ["what's expiring", 'expiring'],
  ["what's going off", 'expiring'],
  ['anything expiring this week', 'expiring'],
  ['anything expiring this week?', 'expiring'],
  ['what expires soon', 'expiring'],
  ['what expires this week?', 'expiring'],
  ['what needs using up', 'expiring'],
  ["what's about to expire", 'expiring'],
  ['show expiring', 'expiring'],
  ['expiring', 'expiring'],
  ['expiring soon', 'expiring'],
  ["what's past its date", 'expiring'],
  ['is anything going bad', 'expiring'],
  ['what should we use up first', 'expiring'],
  ["what's in the pantry that expires this week", 'expiring'],
  ["what can I cook with the spinach that's expiring", 'what_can_i_cook'],
  ['what can I cook tonight?', 'what_can_i_cook'],
  ['what can I cook', 'what_can_i_cook'],
  ['what should we make for dinner', 'what_can_i_cook'],
  ['what should I cook', 'what_can_i_cook'],
  ['what can we make with what we have', 'what_can_i_cook'],
  ["what can we make with what's in the fridge", 'what_can_i_cook'],
  ['what can I make with chicken and rice', 'what_can_i_cook', items('chicken', 'rice')],
  ['what can we have for dinner', 'what_can_i_cook'],
  ['dinner ideas', 'what_can_i_cook'],
  ['any dinner ideas?', 'what_can_i_cook'],
  ['recipe ideas', 'what_can_i_cook'],
  ['meal ideas for this week', 'what_can_i_cook'],
  ["what's for dinner?", 'what_can_i_cook'],
  ['suggest a recipe', 'what_can_i_cook'],
  ['suggest something to cook', 'what_can_i_cook'],
  ["I don't know what to cook", 'what_can_i_cook'],
  ['what recipes can I make', 'what_can_i_cook'],
];

const TASKS: Row[] = [
  ['remind me tomorrow at 9 to call the plumber', 'add_task', { title: 'call the plumber', due: '2025-03-29 09:00' }],
  ['remind me in 2 hours to take the chicken out of the freezer', 'add_task', { title: 'take the chicken out of the freezer', due: '2025-03-28 13:00' }],
  ['remind me to take the fish out of the freezer at 6pm', 'add_task', { title: 'take the fish out of the freezer', due: '2025-03-28 18:00' }],
  ['Remind me at 6pm to take the fish out of the freezer', 'add_task', { title: 'take the fish out of the freezer', due: '2025-03-28 18:00' }],
  ['remind us on friday to pay rent', 'add_task', { title: 'pay rent', due: '2025-04-04 09:00' }],
  ['remind me friday to order the cake', 'add_task', { title: 'order the cake', due: '2025-04-04 09:00' }],
  ['remind me to call mum', 'add_task', { title: 'call mum', due: null }],
  ['remind me to call Mum tomorrow', 'add_task', { title: 'call Mum', due: '2025-03-29 09:00' }],
  ['remind me to call Dr. Patel on monday', 'add_task', { title: 'call Dr. Patel', due: '2025-03-31 09:00' }],
  ['remind me tonight to water the plants', 'add_task', { title: 'water the plants', due: '2025-03-28 20:00' }],
  ['remind me this evening to call grandma', 'add_task', { title: 'call grandma', due: '2025-03-28 18:00' }],
  ['remind me at noon to check the oven', 'add_task', { title: 'check the oven', due: '2025-03-28 12:00' }],
  ['remind me at 18:00 to start dinner', 'add_task', { title: 'start dinner', due: '2025-03-28 18:00' }],
  ['remind me tomorrow morning to put the bins out', 'add_task', { title: 'put the bins out', due: '2025-03-29 09:00' }],
  ['remind me next monday to book the dentist', 'add_task', { title: 'book the dentist', due: '2025-03-31 09:00' }],
  ['remind me in 30 minutes to check the laundry', 'add_task', { title: 'check the laundry', due: '2025-03-28 11:30' }],
  ['remind me in an hour to move the car', 'add_task', { title: 'move the car', due: '2025-03-28 12:00' }],
  ['remind me tomorrow to call mum at 5', 'add_task', { title: 'call mum', due: '2025-03-29 17:00' }],
  ['remind me to call mum at 5 about the party', 'add_task', { title: 'call mum about the party', due: '2025-03-28 17:00' }],
  ['remind me to book the 9am class on friday', 'add_task', { title: 'book the 9am class', due: '2025-04-04 09:00' }],
  ['remind me about the dentist tomorrow', 'add_task', { title: 'the dentist', due: '2025-03-29 09:00' }],
  ['remind me that the bins go out tonight', 'add_task', { title: 'the bins go out', due: '2025-03-28 20:00' }],
  ['remind me to buy milk', 'add_task', { title: 'buy milk', due: null }],
  ['please remind me to water the plants', 'add_task', { title: 'water the plants', due: null }],
  ['can you remind me to water the plants at 7pm', 'add_task', { title: 'water the plants', due: '2025-03-28 19:00' }],
  ['set a reminder for 5pm to pick up the kids', 'add_task', { title: 'pick up the kids', due: '2025-03-28 17:00' }],
  ['set a reminder to renew the car insurance', 'add_task', { title: 'renew the car insurance', due: null }],
  ['reminder: dentist on tuesday', 'add_task', { title: 'dentist', due: '2025-04-01 09:00' }],
  ['add a task to fix the sink', 'add_task', { title: 'fix the sink', due: null }],
  ['add task: fix the sink', 'add_task', { title: 'fix the sink', due: null }],
  ['new task: clean the gutters this weekend', 'add_task', { title: 'clean the gutters', due: '2025-03-29 09:00' }],
  ['todo: call mum', 'add_task', { title: 'call mum', due: null }],
  ['to do: call mum', 'add_task', { title: 'call mum', due: null }],
  ['todo: Call Mum tomorrow', 'add_task', { title: 'Call Mum', due: '2025-03-29 09:00' }],
  ['add call the bank to my todo list', 'add_task', { title: 'call the bank', due: null }],
  ['put fix the fence on the to-do list', 'add_task', { title: 'fix the fence', due: null }],
  ["don't forget to call mum", 'add_task', { title: 'call mum', due: null }],
  ["don't let me forget to buy milk", 'add_task', { title: 'buy milk', due: null }],
  ['remember to feed the cat', 'add_task', { title: 'feed the cat', due: null }],
];

const UNKNOWN: Row[] = [
  ['can you find me a vegetarian lasagna recipe that uses what we have and plan it for friday', 'unknown'],
  ["my sister is coming over, she's vegan, sort something out", 'unknown'],
  ['I love milk', 'unknown'],
  ['i love milk!!', 'unknown'],
  ['my son loves apples', 'unknown'],
  ['I want cookies', 'unknown'],
  ["what's the weather", 'unknown'],
  ['thanks!', 'unknown'],
  ['thank you', 'unknown'],
  ['lol', 'unknown'],
  ['ok', 'unknown'],
  ['yes', 'unknown'],
  ['no', 'unknown'],
  ['no thanks', 'unknown'],
  ['good morning', 'unknown'],
  ['hello', 'unknown'],
  ['help', 'unknown'],
  ['who are you', 'unknown'],
  ['how are you?', 'unknown'],
  ['what can you do', 'unknown'],
  ['can you help me', 'unknown'],
  ['add that thing we talked about yesterday', 'unknown'],
  ['add some stuff for the party that my sister told me about last week', 'unknown'],
  ['add it to the list', 'unknown'],
  ['add everything', 'unknown'],
  ['add ingredients for lasagna', 'unknown'],
  ['we need stuff for tacos', 'unknown'],
  ['what do we need for tacos', 'unknown'],
  ['remove all', 'unknown'],
  ['delete everything', 'unknown'],
  ['add', 'unknown'],
  ['remind me', 'unknown'],
  ["remind me what's on the list", 'unknown'],
  ['I need a break', 'unknown'],
  ['we need to talk', 'unknown'],
  ['we need a bigger boat', 'unknown'],
  ['get the kids from school', 'unknown'],
  ['pick up the kids at 5', 'unknown'],
  ['put the kettle on', 'unknown'],
  ['got it', 'unknown'],
  ['got it thanks', 'unknown'],
  ['got you', 'unknown'],
  ["we're out of time", 'unknown'],
  ['the movie is finished', 'unknown'],
  ['the party is finished', 'unknown'],
  ["I'm done", 'unknown'],
  ['done', 'unknown'],
  ['milk?', 'unknown'],
  ['we need milk?', 'unknown'],
  ['buy milk at 5pm', 'unknown'],
  ['add milk to costco and eggs to aldi', 'unknown'],
  ['add milk or cream', 'unknown'],
  ["we're out of milk. add it to costco", 'unknown'],
  ['remove milk from the fridge', 'unknown'],
  ['we have guests coming tonight', 'unknown'],
  ['show me recipes', 'unknown'],
  ['show me something funny', 'unknown'],
  ["don't add milk", 'unknown'],
  ['plan meals for next week', 'unknown'],
  ['how do I make lasagna', 'unknown'],
  ['is milk good for you', 'unknown'],
  ['can we have pizza tonight', 'unknown'],
  ['😂😂😂', 'unknown'],
  ['...', 'unknown'],
  ['', 'unknown'],
  ['   ', 'unknown'],
  ['@larder_bot', 'unknown'],
  ['/add milk', 'unknown'],
  ['rename the list', 'unknown'],
  ['clear the list', 'unknown'],
  ['create a list called costco', 'unknown'],
  ['is milk on the list?', 'unknown'],
  ['did you add milk?', 'unknown'],
  ['mum says we need bread', 'unknown'],
  ['tell Jon to buy milk', 'unknown'],
  ['cookies are the best', 'unknown'],
  ['milk is gross', 'unknown'],
  ['where is the milk', 'unknown'],
  ['the milk is in the fridge', 'unknown'],
  ['change milk to oat milk', 'unknown'],
  ['undo', 'unknown'],
];

const ROWS: Row[] = [...ADD, ...QUANTITIES, ...REMOVE, ...CHECK, ...SHOW, ...PANTRY, ...QUESTIONS, ...TASKS, ...UNKNOWN];

function itemsOf(specs: ItemSpec[]): Array<{ name: string; quantity?: string }> {
  return specs.map((spec) => {
    const [name = '', quantity] = spec.split('|');
    return quantity === undefined ? { name } : { name, quantity };
  });
}

describe('our own phrases', () => {
  it('has at least 250 of them', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(250);
    expect(new Set(ROWS.map(([text]) => text)).size).toBe(ROWS.length);
  });

  it.each(ROWS)('%j → %s', (text, intent, want = {}) => {
    const result = parse(text);
    expect(result.intent).toBe(intent);
    if (intent === 'unknown') {
      expect(result).toEqual({ intent: 'unknown', list: null, items: [] });
      return;
    }
    expect(result.list).toBe(want.list ?? null);
    expect(result.items).toEqual(itemsOf(want.items ?? []));
    if (intent === 'pantry_set') expect(result.status).toBe(want.status);
    else expect(result.status).toBeUndefined();
    if (intent === 'add_task') {
      expect(result.task?.title).toBe(want.title);
      expect(localDue(result.task?.due)).toBe(want.due ?? null);
    } else {
      expect(result.task).toBeUndefined();
    }
  });
});

describe('the shape of the result (DESIGN §2 contract)', () => {
  it('prints as the documented JSON', () => {
    expect(JSON.stringify(parse('add 2 l milk and eggs to costco'))).toBe(
      '{"intent":"add_items","list":"costco","items":[{"name":"milk","quantity":"2 l"},{"name":"eggs"}]}',
    );
    expect(JSON.stringify(parse('remind me tomorrow at 9 to call the plumber'))).toBe(
      '{"intent":"add_task","list":null,"items":[],"task":{"title":"call the plumber","due":"2025-03-29T08:00:00.000Z"}}',
    );
    expect(JSON.stringify(parse('low on eggs'))).toBe('{"intent":"pantry_set","list":null,"items":[{"name":"eggs"}],"status":"low"}');
    expect(JSON.stringify(parse('hmm'))).toBe('{"intent":"unknown","list":null,"items":[]}');
  });
});

describe('splitting with the catalog', () => {
  it('keeps "X and Y" whole only when the catalog knows it', () => {
    expect(parse('add peanut butter & jelly').items).toEqual([{ name: 'peanut butter' }, { name: 'jelly' }]);
    expect(parse('add mac and cheese').items).toEqual([{ name: 'mac and cheese' }]);
    const noCatalog = parse('add mac and cheese', { now: NOW, timeZone: 'Europe/Stockholm' });
    expect(noCatalog.items).toEqual([{ name: 'mac' }, { name: 'cheese' }]);
  });

  it('splits a comma-less run only when every piece is known', () => {
    expect(parse('add chicken breast milk').items).toEqual([{ name: 'chicken breast' }, { name: 'milk' }]);
    expect(parse('add chicken thighs').items).toEqual([{ name: 'chicken thighs' }]);
    expect(parse('add milk zaatar').items).toEqual([{ name: 'milk zaatar' }]);
  });

  it('asks the catalog with lowercase phrases and never with empty ones', () => {
    const asked: string[] = [];
    parseMessage('Add Apples Bananas And Mac And Cheese, 2 L Milk', {
      now: NOW,
      timeZone: 'Europe/Stockholm',
      isKnownItem: (phrase) => {
        asked.push(phrase);
        return isKnownItem(phrase);
      },
    });
    expect(asked.length).toBeGreaterThan(0);
    for (const phrase of asked) {
      expect(phrase).toBe(phrase.toLowerCase());
      expect(phrase.trim()).not.toBe('');
    }
  });
});

describe('without a catalog', () => {
  const bare: ParseOptions = { now: NOW, timeZone: 'Europe/Stockholm' };
  it.each<[string, Intent, string[]]>([
    ['add milk and eggs', 'add_items', ['milk', 'eggs']],
    ['we need milk', 'add_items', ['milk']],
    ['got the milk', 'check_items', ['milk']],
    ["we're out of rice", 'pantry_set', ['rice']],
    ['milk', 'unknown', []],
    ['milk, eggs and bread', 'unknown', []],
    ['we have milk', 'unknown', []],
    ['milk is finished', 'unknown', []],
    ['I love milk', 'unknown', []],
    ['thanks', 'unknown', []],
  ])('%j → %s', (text, intent, names) => {
    const result = parse(text, bare);
    expect(result.intent).toBe(intent);
    expect(result.items.map((item) => item.name)).toEqual(names);
  });
});

describe('robustness', () => {
  const vocabulary = [
    'add', 'remove', 'milk', 'eggs', 'and', '&', ',', 'to', 'the', 'costco', 'list', 'a', 'dozen', '2', 'l', '½', 'of', 'remind', 'me',
    'at', '6pm', 'tomorrow', 'in', 'hours', 'we', "we're", 'out', 'low', 'on', 'got', 'what', "what's", 'can', 'i', 'cook', '?', '!',
    'mac', 'cheese', 'please', '@larder_bot', 'from', 'off', 'take', 'x', '+', '-2', '1/0', 'plenty', 'need', 'is', 'finished',
    'todo:', 'show', 'pantry', 'expiring', 'friday', 'next', 'half', 'an', 'hour', '\n', '"', "'", ':', 'ÅÄÖ', '🥛',
  ];
  const sentence = fc.array(fc.constantFrom(...vocabulary), { maxLength: 30 }).map((words) => words.join(' '));

  it('never throws and always returns the contract shape, for any text up to 2,000 characters', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 2000 }), fc.string({ maxLength: 300, unit: 'grapheme' }), fc.string({ maxLength: 2000, unit: 'binary' }), sentence),
        (text) => {
          const result = parseMessage(text, OPTIONS);
          expect(Array.isArray(result.items)).toBe(true);
          expect(result.list === null || (typeof result.list === 'string' && result.list === result.list.toLowerCase())).toBe(true);
          for (const item of result.items) {
            expect(item.name).not.toBe('');
            expect(item.name).toBe(item.name.toLowerCase());
            if (item.quantity !== undefined) expect(parseQuantity(item.quantity).text).toBe(item.quantity);
          }
          if (result.intent === 'unknown') expect(result).toEqual({ intent: 'unknown', list: null, items: [] });
          if (result.intent === 'add_task') expect(result.task?.title.trim()).not.toBe('');
          if (result.task?.due !== undefined && result.task.due !== null) expect(Number.isNaN(Date.parse(result.task.due))).toBe(false);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('says unknown for very long messages instead of reading them', () => {
    expect(parse(`add ${'milk, '.repeat(400)}eggs`).intent).toBe('unknown');
  });

  it('takes well under a millisecond for a typical message', () => {
    const typical = ['add milk', 'add 2 l milk and a dozen eggs to costco', 'apples bananas and oranges', "we're out of rice",
      'remind me tomorrow at 9 to call the plumber', 'what can I cook tonight?', 'I love milk', 'take cheese off the aldi list'];
    for (const text of typical) parse(text);
    const rounds = 200;
    const started = performance.now();
    for (let round = 0; round < rounds; round += 1) for (const text of typical) parse(text);
    const perMessage = (performance.now() - started) / (rounds * typical.length);
    expect(perMessage).toBeLessThan(1);
  });
});
