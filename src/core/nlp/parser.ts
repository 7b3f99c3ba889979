import { cleanText } from './normalize.ts';
import { countUnit, expandVulgarFractions, tryParseQuantity, type Quantity } from './quantity.ts';
import { findWhen } from './time.ts';

/** What the fast-path parser needs to know about the world. */
export interface ParseOptions {
  /** The moment the message was sent, for reminder times. */
  now: Date;
  /** The household's IANA time zone, e.g. "Europe/Stockholm". */
  timeZone: string;
  /**
   * Whether a lowercase phrase is a grocery item ("apples", "mac and cheese"). Used to split
   * comma-less lists and to accept statements that only make sense about groceries ("got the
   * milk"). It should match whole names (plural or singular), not substrings: a catalog that says
   * yes to "apples bananas" cannot help split it. Without it, such statements go to the LLM.
   */
  isKnownItem?: (phrase: string) => boolean;
}

/** What a message asks for; `unknown` means the fast path is not sure and the LLM should decide. */
export type Intent =
  | 'add_items'
  | 'remove_items'
  | 'check_items'
  | 'show_list'
  | 'pantry_set'
  | 'pantry_show'
  | 'expiring'
  | 'add_task'
  | 'what_can_i_cook'
  | 'unknown';

/** One item as said: lowercase name, and the quantity text only when one was said. */
export interface ParsedItem {
  name: string;
  quantity?: string;
}

/**
 * The fast-path reading of a message; printed as-is by `larder parse --json`, so its shape is a
 * contract (DESIGN §2).
 */
export interface ParseResult {
  intent: Intent;
  /** The list or store named ("costco"), lowercase, without "the"/"list"; null for the default. */
  list: string | null;
  /** Always present; empty when the intent has no items. */
  items: ParsedItem[];
  /** For add_task: the title in the user's words, and when it is due (ISO 8601 UTC) or null. */
  task?: { title: string; due: string | null };
  /** For pantry_set: what the household said about the items. */
  status?: 'have' | 'low' | 'out';
}

/** How sure a phrasing is that its slot holds groceries, which decides how much the catalog must vouch. */
type Strength = 'strong' | 'medium' | 'weak';

interface Ctx {
  options: ParseOptions;
  /** The message as written (normalized), and lowercased with the same length, so offsets agree. */
  orig: string;
  low: string;
  /** Where the body (what is left after greetings, mentions and punctuation) starts in orig/low. */
  start: number;
  question: boolean;
  polite: boolean;
  hasCatalog: boolean;
  known: (phrase: string) => boolean;
  /** tryParseQuantity, remembered for this message: splitting tries the same words many times. */
  quantity: (text: string) => Quantity | null;
}

type ListRef = { list: string | null } | { pantry: true };

/** Past this many characters a message is not an everyday phrase. */
const MAX_MESSAGE_LENGTH = 1000;
const MAX_SEGMENT_WORDS = 12;
const MAX_ITEM_WORDS = 6;
const MAX_ITEMS = 100;
const MAX_NAME_LENGTH = 200;
/** Longest known phrase tried when splitting comma-less lists ("extra virgin olive oil" is four). */
const MAX_PIECE_WORDS = 6;

const words = (text: string): string[] => text.split(' ').filter((word) => word !== '');

function wordSet(text: string): ReadonlySet<string> {
  return new Set(words(text));
}

/** Words that never appear in an item name people add by text: they mean the slot holds a sentence. */
const ITEM_BLOCKED = wordSet(`
  i me my mine myself we us our ours you your yours u he him his she her hers they them their it its
  this that these those there here what which who whom whose why how when where is are was were be been
  being am do does did doing have has had will would should could can may might must shall not no never
  nothing something anything everything someone anyone everyone somebody anybody stuff thing things
  yesterday today tomorrow tonight later now soon list lists reminder reminders task tasks todo item items
  at from to onto into off on by until about if because so then than but or please thanks thank just
  really very talked said say think know want love like hate i'm we're you're it's that's there's what's
  let's i've we've you've i'll we'll don't dont can't cant won't wont isn't aren't gonna wanna gotta going
  hello hi hey lol ok okay yes yeah yep nope maybe sure whatever`);
/** Words that are not an item, though they may name a list ("groceries"). */
const ITEM_ONLY_BLOCKED = wordSet('ingredients groceries shopping');
/** Names that are really "everything": handled by the LLM, which can ask. */
const ITEM_ALL = wordSet('all both rest none everything anything');
/** Words that cannot name a list or store. */
const LIST_BLOCKED = new Set([
  ...ITEM_BLOCKED,
  ...words(`monday tuesday wednesday thursday friday saturday sunday morning afternoon evening night noon
  midnight week weekend moment minute minutes hour hours day days home work school office way taste
  time dinner lunch breakfast party recipe recipes the a an clear rename delete remove empty create reset sort share
  print make start wipe edit change update add show called named`),
]);
/** A store nobody named: the default list. */
const GENERIC_STORES = new Set([
  'store', 'shop', 'shops', 'supermarket', 'grocery store', 'grocer', 'grocers', "grocer's", 'corner shop',
  'corner store', 'market', 'the shops',
]);
const PANTRY_PLACES = new Set([
  'pantry', 'fridge', 'refrigerator', 'freezer', 'cupboard', 'cupboards', 'larder', 'stock', 'inventory',
  'cabinet', 'cabinets', 'kitchen', 'deep freeze', 'deep freezer',
]);
/** Words after "show" that are not a list. */
const SHOW_BLOCKED = wordSet('recipes recipe reminders history help settings categories me everything all lists');
/** Tokens joining two items. */
const CONJUNCTIONS = new Set(['and', '&', 'plus', 'n', "'n'", "'n", "n'"]);
/** Words that may start a quantity; other first words skip the (comparatively slow) quantity reader. */
const QUANTITY_START_RE =
  /^(?:[\d.~x×]|a$|an$|half$|quarter$|dozen$|couple$|few$|several$|some$|lots$|loads$|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fourty|fifty|sixty|seventy|eighty|ninety|about$|around$|approx|roughly)/;
const LEADING_FILLERS = wordSet('the some any more also our my');
/** Dropped only when what follows is a known item: "extra milk", but "extra virgin olive oil". */
const SOFT_FILLERS = wordSet('extra additional');
const TRAILING_FILLER_RE = new RegExp(
  '(?:\\s+(?:too|also|again|please|pls|plz|thanks|asap|as well|anymore|any more|for me|for us|now|today|tonight|tomorrow|later|' +
    'this week|next week|this weekend|if possible|if you can|when you can|next time|' +
    'for (?:the )?(?:dinner|lunch|breakfast|tea|supper|brunch|party|bbq|barbecue|kids|baby|guests|week|weekend|trip|picnic|holiday|holidays|school|work|office|road trip|game|birthday|cake|recipe|tonight|tomorrow|lasagna|lasagne|salad|soup|smoothies?|baking)|' +
    'on (?:the|your|my|our) way (?:home|back)|after (?:work|school)|when you(?:\'re| are) (?:out|there|at the shops?|at the store)|' +
    'while you(?:\'re| are) (?:out|there|at the shops?|at the store)|if (?:they|you) (?:have|see|find) (?:it|them|any|some)|' +
    'if (?:it\'s|its|they\'re|theyre) on sale|if on sale))+$',
);
/** Splits a slot into segments at commas (not decimal commas), semicolons and " / "; " + " is split apart later. */
const SEGMENT_SPLIT_RE = /(?<!\d),|,(?!\d)|;|\s\/\s/;
const NAME_EDGE_RE = /^[\s"'.,;:!?()[\]{}*_-]+|[\s"'.,;:!?()[\]{}*_-]+$/g;
const QUANTITY_SUFFIX_BLOCKERS = wordSet('size no number # type stage omega vitamin');

// ---------------------------------------------------------------------------------------------
// Preparing the text

/** Greetings, mentions, politeness and hedges before the request itself. Each must leave text after it. */
const PREFIX_RES: readonly RegExp[] = [
  /^[-*•·>"]+\s*/,
  /^@[\w.]+[,:]?\s+/,
  /^(?:hey|hi|hello|yo|oi|ok|okay|oh|so|um|uh|umm|hmm|right|alright|well|dear|good morning|morning|ah|sorry|oops|yes|yeah|yep|yup|sure)\b[,!.]*\s+/,
  // "no, add eggs" corrects; "no more bread" is a statement, so "no" needs its comma.
  /^(?:no|nope|nah)[,!.]+\s+/,
  /^(?:larder|larder bot|larderbot|larder_bot)\b[,:!.]*\s+/,
  /^(?:please|pls|plz|pleas|kindly|quickly|also|and|then|now|oh and|and also|actually|btw|ps|just|one more thing|another thing)\b[,:]?\s+/,
  /^(?:go ahead and|go and|pls go and)\s+/,
  /^(?:i'd|id|i would|we'd|we would) like (?:you )?to\s+/,
  /^(?:i|we) (?:want|need) you to\s+/,
  /^(?:i|we) (?:want|need|have|got|gotta) to (?=(?:buy|get|pick up|grab|order|add)\b)/,
  /^(?:let's|lets|let us)\s+/,
];
/** Courtesy or punctuation after the request. */
const SUFFIX_RES: readonly RegExp[] = [
  /[\s.!?,;:~…"]+$/,
  /\s+(?:please|pls|plz|thanks|thank you|thank u|thx|ty|cheers|ta|asap|xx?|xo|:\)|:-\)|:d|lol|haha|mate|guys|larder)$/,
  /\s+@[\w.]+$/,
  /[\s\p{Extended_Pictographic}\u{FE0F}\u{200D}]+$/u,
];
const POLITE_RE = /^(?:can|could|would|will|can't|cant)\s+(?:you|u|ya|ye)\b(?:\s+(?:please|pls|just|quickly|also))?\s+/;
const POLITE_WE_RE = /^(?:can|could)\s+(?:we|i)\s+(?=(?:add|put|get|buy|remove|delete|take|check|tick|cross|have|see)\b)/;

const ALL_PREFIX_RES: readonly RegExp[] = [...PREFIX_RES, POLITE_RE, POLITE_WE_RE];

/** Lowercases one code point at a time, keeping any whose lowercase form has another length, so offsets agree. */
function lowerSameLength(text: string): string {
  let lowered = '';
  for (const char of text) {
    const lower = char.toLowerCase();
    lowered += lower.length === char.length ? lower : char;
  }
  return lowered;
}

function prepare(text: string): { orig: string; low: string } {
  const orig = expandVulgarFractions(text)
    // A pasted list is one item a line.
    .replace(/\s*[\r\n]+\s*(?:[-*•·]\s*)?/g, ', ')
    .normalize('NFKC')
    .replace(/\u2044/g, '/')
    .replace(/[\u2018\u2019\u201B\u2032`´]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^,\s*|,\s*$/g, '');
  return { orig, low: lowerSameLength(orig) };
}

// ---------------------------------------------------------------------------------------------
// Lists and stores

/**
 * Reads a list reference: "the costco list" → costco, "my list" → null (default), "groceries",
 * "the list for aldi", "the shopping list" → shopping, "the fridge" → pantry. Null when the words
 * cannot name a list. `bare` allows a name without the word "list" ("to costco").
 */
function readListRef(phrase: string, bare: boolean): ListRef | null {
  let parts = words(phrase);
  if (['the', 'my', 'our'].includes(parts[0] ?? '')) parts = parts.slice(1);
  if (parts[0] === 'list' && ['for', 'at', 'from'].includes(parts[1] ?? '')) {
    const named = readListRef(parts.slice(2).join(' '), true);
    return named === null || 'pantry' in named ? null : named;
  }
  let hadListWord = false;
  if (parts.at(-1) === 'list') {
    parts = parts.slice(0, -1);
    hadListWord = true;
  }
  if (parts.length === 0) return hadListWord ? { list: null } : null;
  const last = parts.length - 1;
  // "costco's list" is Costco's; "trader joe's" is a name.
  if (parts.length === 1) parts[last] = (parts[last] ?? '').replace(/'s$/, '');
  const joined = parts.join(' ');
  if (PANTRY_PLACES.has(joined)) return { pantry: true };
  if (!hadListWord && !bare) return null;
  if (parts.length >= 2 && ['shopping', 'grocery', 'groceries'].includes(parts[last] ?? '')) parts = parts.slice(0, -1);
  const name = parts.join(' ');
  if (GENERIC_STORES.has(name)) return { list: null };
  if (parts.length > 3 || name.length > 60) return null;
  if (parts.some((part) => LIST_BLOCKED.has(part) || /^\d+(?:[:.]\d+)?(?:am|pm)?$/.test(part) || !/\p{L}|\d/u.test(part))) {
    return null;
  }
  return { list: name };
}

/**
 * Takes a trailing list phrase off an item slot: "milk to the costco list" → ("milk", costco).
 * The last preposition whose words read as a list wins. "in"/"into"/"on"/"onto" need the word
 * "list" (or a pantry place): "tuna in oil" is one item.
 */
function takeListTail(slot: string, preps: ReadonlySet<string>): { rest: string; ref: ListRef } | null {
  const tokens = words(slot);
  for (let index = tokens.length - 2; index >= 1; index -= 1) {
    const prep = tokens[index] ?? '';
    if (!preps.has(prep)) continue;
    const bare = !['in', 'into', 'on', 'onto'].includes(prep);
    const ref = readListRef(tokens.slice(index + 1).join(' '), bare);
    if (ref !== null) return { rest: tokens.slice(0, index).join(' '), ref };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Items

interface Reading {
  quantity: Quantity | null;
  /** Index of the first name token. */
  nameStart: number;
}

/**
 * The longest quantity at the start of `tokens` that leaves a name after it ("2 cartons of milk" →
 * "2 cartons", name from "milk"), or null.
 */
function leadingQuantity(tokens: readonly string[], ctx: Ctx): Reading | null {
  const first = tokens[0] ?? '';
  if (countUnit(first)?.loose !== undefined && tokens[1] === 'of') {
    // "bag of ice", "box of cereal": one of that.
    const quantity = ctx.quantity(`1 ${first}`);
    return quantity === null || tokens.length < 3 ? null : { quantity, nameStart: 2 };
  }
  if (!QUANTITY_START_RE.test(first)) return null;
  for (let end = Math.min(tokens.length - 1, 6); end > 0; end -= 1) {
    const quantity = ctx.quantity(tokens.slice(0, end).join(' '));
    if (quantity === null) continue;
    let nameStart = end;
    const lastToken = tokens[end - 1] ?? '';
    const unitWord = countUnit(lastToken);
    if (tokens[nameStart] === 'of') {
      nameStart += 1;
      if (tokens[nameStart] === 'the') nameStart += 1;
    } else if (unitWord !== null && quantity.parts.at(-1)?.unit === unitWord.unit) {
      // "2 ear plugs", "a can opener": the unit word is the start of the name.
      if (!unitWord.loose || ctx.known(tokens.slice(end - 1).join(' '))) continue;
    }
    if (nameStart >= tokens.length) continue;
    // "some apples" says no amount.
    return { quantity: quantity.parts.every((part) => part.approx === 'some') ? null : quantity, nameStart };
  }
  return null;
}

function stripLeadingFillers(tokens: string[], ctx: Ctx): string[] {
  let index = 0;
  while (
    index < tokens.length - 1 &&
    (LEADING_FILLERS.has(tokens[index] ?? '') || (SOFT_FILLERS.has(tokens[index] ?? '') && ctx.known(tokens.slice(index + 1).join(' '))))
  ) {
    index += 1;
  }
  const rest = tokens.slice(index);
  if (rest[0] === 'another') rest[0] = 'a';
  return rest;
}

/** Reads one piece ("2 cartons of milk") as an item; null when no name is left. */
function readItem(piece: readonly string[], ctx: Ctx): ParsedItem | null {
  const cleaned = piece
    .map((token) => token.replace(/^[("'[]+|[)"'\]]+$/g, ''))
    .filter((token) => token !== '' && !/^[-–—:]+$/.test(token));
  let tokens = stripLeadingFillers(cleaned, ctx);
  if (CONJUNCTIONS.has(tokens[0] ?? '') && tokens.length > 1) tokens = stripLeadingFillers(tokens.slice(1), ctx);
  let quantity: Quantity | null = null;
  const whole = tokens.join(' ');
  if (!ctx.known(whole)) {
    const reading = leadingQuantity(tokens, ctx);
    if (reading !== null) {
      quantity = reading.quantity;
      tokens = stripLeadingFillers(tokens.slice(reading.nameStart), ctx);
    }
    if (quantity === null) {
      // "milk 2 l", "eggs x12": a quantity after the name, only with a unit or an "x".
      for (let size = Math.min(3, tokens.length - 1); size >= 1; size -= 1) {
        const tail = tokens.slice(tokens.length - size);
        const before = tokens[tokens.length - size - 1] ?? '';
        if (!/^[\dx×]/.test(tail[0] ?? '') || QUANTITY_SUFFIX_BLOCKERS.has(before)) continue;
        const found = ctx.quantity(tail.join(' '));
        const marked = /^[x×]/.test(tail[0] ?? '') || /[x×]$/.test(tail.at(-1) ?? '');
        if (found === null || (!marked && found.parts.every((part) => part.unit === null))) continue;
        quantity = found;
        tokens = tokens.slice(0, tokens.length - size);
        break;
      }
    }
  }
  // The message is already normalized; only punctuation around the name is left to drop.
  const name = tokens.join(' ').replace(NAME_EDGE_RE, '');
  if (name === '') return null;
  return quantity === null ? { name } : { name, quantity: quantity.text };
}

/** Whether a name could be something on a list, not part of a sentence. */
function plausible(name: string, ctx: Ctx): boolean {
  const parts = words(name);
  if (parts.length === 0 || name.length > MAX_NAME_LENGTH || !/\p{L}/u.test(name)) return false;
  if (ITEM_ALL.has(name)) return false;
  if (ctx.known(name)) return true;
  return parts.length <= MAX_ITEM_WORDS && parts.every((part) => !ITEM_BLOCKED.has(part) && !ITEM_ONLY_BLOCKED.has(part));
}

/** Whether a run of tokens (with any quantity in front) names a known item; "fish & chips" may be known as "fish and chips". */
function knownPiece(tokens: readonly string[], ctx: Ctx): boolean {
  if (tokens.length === 0 || CONJUNCTIONS.has(tokens[0] ?? '') || CONJUNCTIONS.has(tokens.at(-1) ?? '')) return false;
  const item = readItem(tokens, ctx);
  if (item === null) return false;
  if (ctx.known(item.name)) return true;
  const spelledOut = item.name.replace(/ (?:&|n|'n'|'n|n'|plus) /g, ' and ');
  return spelledOut !== item.name && ctx.known(spelledOut);
}

/**
 * Splits a run with no separators into known items when the catalog covers all of it
 * ("apples bananas" → apples | bananas), with as few pieces as possible; otherwise keeps it
 * whole, so "chicken breast" stays one item even if only "chicken" is known.
 */
function splitRun(tokens: readonly string[], ctx: Ctx): string[][] {
  const count = tokens.length;
  if (count <= 1 || !ctx.hasCatalog || knownPiece(tokens, ctx)) return [[...tokens]];
  const best: Array<{ pieces: number; next: number } | null> = Array.from({ length: count + 1 }, () => null);
  best[count] = { pieces: 0, next: count };
  for (let start = count - 1; start >= 0; start -= 1) {
    for (let end = Math.min(count, start + MAX_PIECE_WORDS + 2); end > start; end -= 1) {
      const after = best[end];
      if (after === null || after === undefined) continue;
      const current = best[start];
      if (current !== null && current !== undefined && current.pieces <= after.pieces + 1) continue;
      if (knownPiece(tokens.slice(start, end), ctx)) best[start] = { pieces: after.pieces + 1, next: end };
    }
  }
  const first = best[0];
  if (first === null || first === undefined || first.pieces < 2) return [[...tokens]];
  const pieces: string[][] = [];
  let start = 0;
  while (start < count) {
    const step = best[start];
    if (step === null || step === undefined) break;
    pieces.push(tokens.slice(start, step.next));
    start = step.next;
  }
  return pieces;
}

/**
 * Splits one comma-free segment at "and"/"&"/"plus", keeping a known name that contains one
 * whole ("mac and cheese"), then splits comma-less runs with the catalog.
 */
function splitSegment(tokens: readonly string[], ctx: Ctx): string[][] {
  const pieces: string[][] = [];
  let run: string[] = [];
  const hasConjunction = tokens.some((token) => CONJUNCTIONS.has(token));
  const flush = (): void => {
    if (run.length > 0) pieces.push(...splitRun(run, ctx));
    run = [];
  };
  let index = 0;
  while (index < tokens.length) {
    const token = tokens[index] ?? '';
    if (hasConjunction && ctx.hasCatalog && !CONJUNCTIONS.has(token)) {
      let whole: number | null = null;
      for (let end = Math.min(tokens.length, index + MAX_PIECE_WORDS + 3); end >= index + 3; end -= 1) {
        const span = tokens.slice(index, end);
        if (span.slice(1, -1).some((word) => CONJUNCTIONS.has(word)) && knownPiece(span, ctx)) {
          whole = end;
          break;
        }
      }
      if (whole !== null) {
        flush();
        pieces.push(tokens.slice(index, whole));
        index = whole;
        continue;
      }
    }
    if (CONJUNCTIONS.has(token)) flush();
    else run.push(token);
    index += 1;
  }
  flush();
  return pieces;
}

/** Splits at " + " unless the left side is only a quantity: "2 bottles + 1 kg of rice" is one item. */
function joinQuantityParts(segment: string): string[] {
  const parts = segment.split(/\s\+\s/);
  const joined: string[] = [];
  let carry = '';
  for (const [index, part] of parts.entries()) {
    const text = carry === '' ? part : `${carry} + ${part}`;
    if (index < parts.length - 1 && tryParseQuantity(part) !== null) carry = text;
    else {
      joined.push(text);
      carry = '';
    }
  }
  if (carry !== '') joined.push(carry);
  return joined;
}

/**
 * Reads the items of a slot ("2 l milk, a dozen eggs and bread"), or null when the slot does not
 * read as a list of groceries with the confidence the phrasing needs: `strong` ("add …") takes any
 * plausible names, `medium` ("we need …") needs one the catalog knows, `weak` (a bare "milk and
 * eggs") needs every one known.
 */
function readItems(slot: string, strength: Strength, ctx: Ctx): ParsedItem[] | null {
  const text = slot.replace(TRAILING_FILLER_RE, '').trim();
  if (text === '') return null;
  const segments = text.split(SEGMENT_SPLIT_RE).flatMap(joinQuantityParts).map((segment) => words(segment));
  if (segments.some((segment) => segment.length > MAX_SEGMENT_WORDS)) return null;
  const items: ParsedItem[] = [];
  for (const segment of segments) {
    for (const piece of splitSegment(segment, ctx)) {
      const item = readItem(piece, ctx);
      if (item === null) continue;
      const name = cleanText(item.name.replace(TRAILING_FILLER_RE, ''));
      if (!plausible(name, ctx)) return null;
      items.push(name === item.name ? item : { ...item, name });
    }
  }
  if (items.length === 0 || items.length > MAX_ITEMS) return null;
  if (strength !== 'strong' && ctx.question && !ctx.polite) return null;
  if (strength === 'medium' && ctx.hasCatalog && !items.some((item) => ctx.known(item.name))) return null;
  if (strength === 'weak' && (!ctx.hasCatalog || !items.every((item) => ctx.known(item.name)))) return null;
  return items;
}

// ---------------------------------------------------------------------------------------------
// Intents

const unknown = (): ParseResult => ({ intent: 'unknown', list: null, items: [] });
const plain = (intent: Intent, list: string | null = null): ParseResult => ({ intent, list, items: [] });

const LEADING_LIST_RE = /^(?:to|on|onto) (.+?)(?:( list):?|:) (.+)$/;
const ADD_PREPS: ReadonlySet<string> = new Set(['to', 'onto', 'on', 'in', 'into', 'at', 'from']);
const REMOVE_PREPS: ReadonlySet<string> = new Set(['from', 'off', 'on', 'in', 'at']);
const CHECK_PREPS: ReadonlySet<string> = new Set(['from', 'off', 'on', 'at', 'in']);

/** Items of a slot with an optional trailing list: the shared shape of add, remove and check. */
function listItems(
  intent: 'add_items' | 'remove_items' | 'check_items',
  slot: string,
  strength: Strength,
  ctx: Ctx,
): ParseResult | null {
  let rest = slot;
  let list: string | null = null;
  // "add to costco: milk, eggs", "add to the costco list milk and eggs".
  const leading = LEADING_LIST_RE.exec(slot);
  const leadingRef = leading === null ? null : readListRef(`${leading[1] ?? ''}${leading[2] ?? ''}`, true);
  if (leading !== null && leadingRef !== null && !('pantry' in leadingRef)) {
    list = leadingRef.list;
    rest = leading[3] ?? '';
  } else {
    const tail = takeListTail(slot, intent === 'add_items' ? ADD_PREPS : intent === 'remove_items' ? REMOVE_PREPS : CHECK_PREPS);
    if (tail !== null) {
      if ('pantry' in tail.ref) {
        // "add rice to the pantry" says we have it; "remove milk from the fridge" is for the LLM.
        if (intent !== 'add_items') return null;
        const items = readItems(tail.rest, strength, ctx);
        return items === null ? null : { intent: 'pantry_set', list: null, items, status: 'have' };
      }
      list = tail.ref.list;
      rest = tail.rest;
    }
  }
  const items = readItems(rest, strength, ctx);
  return items === null ? null : { intent, list, items };
}

function pantrySet(slot: string, status: 'have' | 'low' | 'out', strength: Strength, ctx: Ctx): ParseResult | null {
  const items = readItems(slot, strength, ctx);
  return items === null ? null : { intent: 'pantry_set', list: null, items, status };
}

// --- Tasks ---

const TASK_RES: readonly RegExp[] = [
  /^remind (?:me|us|everyone|everybody|the family|all of us|both of us)\b[,:]?\s*(.*)$/d,
  /^(?:set|create|make|add|schedule|give me|put in) (?:me )?(?:a |an )?(?:new )?reminder\b(?: for me)?[,:]?\s*(.*)$/d,
  /^reminder\s*(?:[:,-]\s*|\s+(?=(?:to|for|at|on|in|tomorrow|tonight|today)\b))(.+)$/d,
  /^(?:add|create|make|new|set up|put|start) (?:a |an |one )?(?:new )?(?:task|todo|to-do|to do|chore)\b(?: for me)?[,:-]?\s*(.*)$/d,
  /^(?:task|todo|to-do|to do|chore|new task|new todo)\s*[:-]\s*(.+)$/d,
  /^(?:add|put|stick|write) (.+?) (?:to|on|onto|in) (?:the |my |our )?(?:task|tasks|todo|todos|to-do|to-dos|to do|chore|chores|jobs)(?: list)?$/d,
  /^(?:don't|dont|do not) let (?:me|us) forget (?:to |about )?(.+)$/d,
  /^(?:don't|dont|do not) forget to (?!(?:buy|get|pick up|grab|order)\b)(.+)$/d,
  /^remember to (?!(?:buy|get|pick up|grab|order)\b)(.+)$/d,
];
const TITLE_LEAD_RE = /^(?:(?:to|that|about|for|of|we need to|i need to|we have to|i have to|we should|i should|i must|we must|we gotta|i gotta|please)\b[\s,:-]*|[\s,:-]+)/;
const TITLE_TRAIL_RE = /(?:[\s,:-]+|\s+(?:at|on|by|for|and|please|thanks|to))$/;
const QUESTION_START_RE = /^(?:what|what's|whats|how|where|who|why|which|when|if|whether|is|are|do|does)\b/;

/** Builds an add_task result from the words after "remind me", cutting out when it is due. */
function taskFrom(restStart: number, restEnd: number, ctx: Ctx): ParseResult | null {
  const low = ctx.low.slice(restStart, restEnd);
  const found = findWhen(low, ctx.options);
  // Cut the time words out of both spellings at once, so the title keeps the user's capitals.
  let keptLow = '';
  let keptOrig = '';
  let cursor = 0;
  for (const range of found?.ranges ?? []) {
    keptLow += `${low.slice(cursor, range.start)} `;
    keptOrig += `${ctx.orig.slice(restStart + cursor, restStart + range.start)} `;
    cursor = range.end;
  }
  keptLow += low.slice(cursor);
  keptOrig += ctx.orig.slice(restStart + cursor, restEnd);
  keptLow = keptLow.replace(/\s+/g, ' ');
  keptOrig = keptOrig.replace(/\s+/g, ' ');
  for (let step = 0; step < 8; step += 1) {
    const lead = TITLE_LEAD_RE.exec(keptLow);
    const trail = TITLE_TRAIL_RE.exec(keptLow);
    if (lead === null && trail === null) break;
    const from = lead?.[0].length ?? 0;
    const to = keptLow.length - (trail?.[0].length ?? 0);
    if (to <= from) return null;
    keptLow = keptLow.slice(from, to);
    keptOrig = keptOrig.slice(from, to);
  }
  const title = keptOrig.trim();
  if (title === '' || title.length > MAX_NAME_LENGTH || QUESTION_START_RE.test(keptLow.trim())) return null;
  return { intent: 'add_task', list: null, items: [], task: { title, due: found === null ? null : found.due.toISOString() } };
}

function matchTask(body: string, ctx: Ctx): ParseResult | null {
  for (const re of TASK_RES) {
    const match = re.exec(body);
    const range = match?.indices?.[1];
    if (match === null || range === undefined) continue;
    const [start, end] = range;
    if (start === end) return unknown();
    return taskFrom(ctx.start + start, ctx.start + end, ctx) ?? unknown();
  }
  return null;
}

// --- Questions: expiring, cooking, lists, pantry ---

const EXPIRY_RE =
  /\b(?:expir\w*|go(?:es|ing)? off|gone off|go(?:es|ing)? bad|gone bad|(?:going )?out of date|past (?:its|their|the) (?:date|best)|use[- ]by|best[- ]before|sell[- ]by|(?:need|needs|needing) (?:to be )?(?:using|used) up|use (?:up )?first|use up soon|about to (?:go|turn|spoil)|spoil\w*|go(?:ing)? stale|going mouldy|going moldy|close to (?:its|their) date)\b/;
const EXPIRY_START_RE =
  /^(?:what|what's|whats|which|anything|any|is|are|does|do|show|list|check|tell|give|expir|items|food|stuff|things|soon|get)\b|^expir/;

const COOK_RES: readonly RegExp[] = [
  /^(?:what|wat|wht) (?:can|could|should|shall|will|would|might|do) (?:i|we|you|u) (?:cook|make|eat|have|prepare|fix|whip up|rustle up)(?: for (?:dinner|lunch|breakfast|tea|supper|brunch|the kids|us|the family))?(?: (?:tonight|today|tomorrow|this evening|now|later|this week|for dinner|for lunch))?(?: with (.+?))?(?: (?:tonight|today|for dinner|for lunch|for tea))?$/,
  /^(?:any |some |got any |give me |need |i need |suggest |suggest some |suggest a )?(?:dinner|lunch|supper|meal|recipe|food|cooking|breakfast|tea|cook|menu) (?:ideas?|suggestions?|inspiration|inspo|options)(?: for (?:tonight|today|tomorrow|this week|the week))?$/,
  /^what(?:'s| is|s) for (?:dinner|lunch|supper|tea|breakfast)(?: tonight| today| tomorrow)?$/,
  /^(?:suggest|recommend|give me|pick) (?:me |us )?(?:a |some |an )?(?:recipe|recipes|meal|meals|dinner|something to (?:cook|make|eat))(?: for (?:tonight|dinner|lunch|today))?(?: (?:i|we) can (?:cook|make))?(?: with what we have)?$/,
  /^(?:what to|i don't know what to|i dont know what to|idk what to|no idea what to|help me (?:decide|choose|pick) what to) (?:cook|make|eat|have for dinner)(?: tonight| today| for dinner)?$/,
  /^what (?:recipes|meals|dishes|food) can (?:i|we) (?:make|cook)(?: tonight| today| with what we have)?$/,
  /^(?:what's|whats|what is) (?:cookable|possible to cook)(?: tonight)?$/,
];
const WHAT_WE_HAVE_RE =
  /^(?:what (?:we|i) (?:have|'ve got|got)|what's (?:in|left in) the (?:fridge|pantry|freezer|house)|whats (?:in|left in) the (?:fridge|pantry|freezer)|what's left|whats left|leftovers|the leftovers|the stuff we have|our pantry|the pantry|what(?:'s| is) in stock)(?: at home| in the (?:fridge|pantry|house))?$/;

const SHOW_VERB_RE = /^(?:show|display|view|see|print|send|give|get|open|read|read out|pull up|bring up|check|share)(?: me| us)?(?: out)? (.+)$/;
const SHOW_BARE_VERB_RE = /^(?:show|display|view|open|pull up|bring up)\b/;
const WHATS_ON_RE = /^(?:what(?:'s| is|s| are| all is| else is)|whats|wat's|what's still|what is still|anything|is there anything) (on|in) (.+)$/;
const WHAT_NEED_RE =
  /^what (?:do|does|did|else do|shall|should|will) (?:we|i|you|u|the house) (?:still |else |actually )?(?:need|need to (?:buy|get|pick up|grab)|have to (?:buy|get|pick up)|buy|get|pick up|want)(?: (?:at|from|in) (.+?))?(?: (?:today|this week|tonight|tomorrow|again|still|then))?$/;
const WHATS_LEFT_RE = /^what(?:'s| is|s) (?:left|remaining|still needed|needed|outstanding)(?: to (?:buy|get))?(?: (?:on|at|from) (.+))?$/;
const DO_WE_NEED_ANYTHING_RE = /^do (?:we|i) need anything(?: (?:at|from) (.+))?$/;
const BARE_LIST_RE = /^(?:(?:the|my|our) )?(?:(.+?) )?list$/;

const PANTRY_PLACE = '(?:pantry|fridge|refrigerator|freezer|cupboards?|larder|kitchen|stock|inventory|cabinets?|house)';
const PANTRY_SHOW_RES: readonly RegExp[] = [
  new RegExp(`^(?:what(?:'s| is|s| do we have| have we got| do i have| else is)|whats|what all is) (?:in|inside|left in) (?:the |our |my )?${PANTRY_PLACE}(?: right now| at the moment| now)?$`),
  /^what (?:do|have) (?:we|i) (?:have|got)(?: (?:in|at) (?:the )?(?:pantry|fridge|freezer|house|home|stock|kitchen|cupboards?))?(?: (?:at home|in stock|right now|at the moment|now|left))?$/,
  /^(?:what(?:'s| is|s)|whats) in stock$/,
  /^what (?:food|groceries|stuff|ingredients) (?:do|have) (?:we|i) (?:have|got)(?: left| at home| in stock)?$/,
  new RegExp(`^(?:show|display|view|see|open|list|check|give|get|read)(?: me| us)?(?: the| my| our| what's in the| whats in the)? ${PANTRY_PLACE}(?: list| items| contents| inventory| stock)?$`),
  /^(?:(?:the|my|our) )?(?:pantry|inventory|stock|larder)(?: list| items| contents)?$/,
];
const PANTRY_ASK_RES: readonly RegExp[] = [
  new RegExp(`^(?:do|have|did) (?:we|i) (?:still )?(?:have|got|have got) (?:any |some |enough )?(?:more )?(.+?)(?: left| at home| in (?:the )?${PANTRY_PLACE})?$`),
  new RegExp(`^(?:is|are) there (?:any |some |enough )?(?:more )?(.+?)(?: left| at home| in (?:the )?${PANTRY_PLACE})?$`),
  /^how (?:much|many) (.+?) (?:do|have|did) (?:we|i) (?:have|got|have left)(?: left)?$/,
  /^how (?:much|many) (.+?) (?:is|are) (?:there|left)(?: left)?$/,
];

function matchQuestion(body: string, ctx: Ctx): ParseResult | null {
  for (const re of PANTRY_SHOW_RES) if (re.test(body)) return plain('pantry_show');
  for (const re of COOK_RES) {
    const match = re.exec(body);
    if (match === null) continue;
    const withWhat = match[1];
    if (withWhat === undefined || WHAT_WE_HAVE_RE.test(withWhat)) return plain('what_can_i_cook');
    const items = readItems(withWhat, 'strong', { ...ctx, question: false });
    return { intent: 'what_can_i_cook', list: null, items: items ?? [] };
  }
  const count = words(body).length;
  if (EXPIRY_RE.test(body) && EXPIRY_START_RE.test(body) && count <= 14 && !/\b(?:add|remove|delete|buy|remind)\b/.test(body)) {
    return plain('expiring');
  }

  const whatNeed = WHAT_NEED_RE.exec(body) ?? DO_WE_NEED_ANYTHING_RE.exec(body) ?? WHATS_LEFT_RE.exec(body);
  if (whatNeed !== null) {
    const ref = whatNeed[1] === undefined ? { list: null } : readListRef(whatNeed[1], true);
    if (ref !== null && !('pantry' in ref)) return plain('show_list', ref.list);
  }
  const whatsOn = WHATS_ON_RE.exec(body);
  if (whatsOn !== null) {
    const ref = readListRef(whatsOn[2] ?? '', whatsOn[1] === 'on');
    if (ref !== null) return 'pantry' in ref ? plain('pantry_show') : plain('show_list', ref.list);
  }
  const show = SHOW_VERB_RE.exec(body);
  if (show !== null) {
    let target = show[1] ?? '';
    const inner = /^(?:what(?:'s| is|s)|whats) on (.+)$/.exec(target) ?? /^(?:everything|all items|all the items|the items|items) on (.+)$/.exec(target);
    if (inner !== null) target = inner[1] ?? '';
    else if (/^what (?:we|i) (?:still )?need$/.test(target)) return plain('show_list');
    const bare = SHOW_BARE_VERB_RE.test(body) && words(target).length <= 2 && !words(target).some((word) => SHOW_BLOCKED.has(word));
    const ref = readListRef(target, bare || inner !== null);
    if (ref !== null) return 'pantry' in ref ? plain('pantry_show') : plain('show_list', ref.list);
  }
  const bareList = BARE_LIST_RE.exec(body);
  if (bareList !== null) {
    const ref = readListRef(body, false);
    if (ref !== null && !('pantry' in ref)) return plain('show_list', ref.list);
  }
  for (const re of PANTRY_ASK_RES) {
    const match = re.exec(body);
    if (match === null) continue;
    const items = readItems(match[1] ?? '', 'medium', { ...ctx, question: false });
    if (items !== null) return { intent: 'pantry_show', list: null, items };
  }
  return null;
}

// --- Pantry statements ---

const SUBJECT = "(?:(?:we(?:'re| are|re)?|i(?:'m| am)?|im|they(?:'re| are)?|the house is) )?";
const HAVE_SUBJECT = "(?:(?:we|we've|we have|we have got|we've got|i've got|there's|there is|there are|got) )?";
const PANTRY_RES: ReadonlyArray<{ re: RegExp; status: 'have' | 'low' | 'out'; strength: Strength }> = [
  // Low: before "out of", since "running out of" and "almost out of" are not out yet.
  { re: new RegExp(`^${SUBJECT}(?:(?:running|getting|going|kinda|kind of|a bit|bit|pretty|quite|very|really|so|a little) )*(?:low|short) (?:on|of) (.+)$`), status: 'low', strength: 'medium' },
  { re: new RegExp(`^${SUBJECT}(?:almost|nearly|about|practically|just about|pretty much|close to|soon|getting|going to be|gonna be) (?:to )?(?:run |be |running |run out of |being )?out of (.+)$`), status: 'low', strength: 'medium' },
  { re: new RegExp(`^${SUBJECT}(?:almost|nearly|about to|soon|going to) run(?:ning)? out of (.+)$`), status: 'low', strength: 'medium' },
  { re: new RegExp(`^${SUBJECT}(?:(?:about|starting|beginning|going) to )?(?:start )?running out of (.+)$`), status: 'low', strength: 'medium' },
  { re: /^(?:(?:we(?:'ve| have)|there(?:'s| is)|we've got) )?(?:not|only|hardly|barely|just) (?:much|a (?:little|bit)|a few|any|enough|some|one|a bit of) (?:of (?:the )?)?(.+?) left$/, status: 'low', strength: 'medium' },
  { re: /^(?:the |our |my )?(.+?)(?:'s| is| are) (?:(?:running|getting|looking|pretty|very|quite|a bit|kinda|a little) )*low$/, status: 'low', strength: 'medium' },
  { re: /^(?:the |our |my )?(.+?)(?:'s| is| are) (?:almost|nearly|practically|about) (?:gone|finished|out|empty|used up|done)$/, status: 'low', strength: 'medium' },
  { re: /^(?:the |our )?(.+?) (?:running |getting )?low$/, status: 'low', strength: 'weak' },

  // Out.
  { re: new RegExp(`^${SUBJECT}(?:all |completely |totally |fully |now |officially |just |already |clean )?out of (.+?)(?: again| now| already| completely| totally)?$`), status: 'out', strength: 'medium' },
  { re: /^(?:(?:we|i|they)(?:'ve| have)? )?(?:just |already |completely |totally |officially )?(?:ran|run|have run|'ve run) out of (.+)$/, status: 'out', strength: 'medium' },
  { re: /^(?:there(?:'s| is|s) |we have |we've got |we got |i have |got )?no (?:more |fresh )?(.+?) left$/, status: 'out', strength: 'medium' },
  { re: /^(?:there(?:'s| is|s) |we have |we've got |we got |i have |got )?no more (.+?)(?: in the (?:house|pantry|fridge|freezer)| at home)?$/, status: 'out', strength: 'medium' },
  { re: /^(?:there(?:'s| is|s) |we have |we've got )no (.+?)(?: in the (?:house|pantry|fridge|freezer)| at home)?$/, status: 'out', strength: 'medium' },
  { re: /^(?:we |i )?(?:don't|dont|do not) have (?:any )?(?:more )?(.+?)(?: left| anymore| any more| at home)?$/, status: 'out', strength: 'medium' },
  { re: /^(?:(?:we|i|the kids|someone)(?:'ve| have)? )?(?:just |have |already )?(?:finished|used up|used all|polished off|ate all|drank all|ate the last of|drank the last of|used the last of|finished off|emptied|used the last)(?: of)? (?:the |our |all the |all of the |the last of the |the last of |the last )?(.+)$/, status: 'out', strength: 'medium' },
  { re: /^(?:the |our |my )?(.+?)(?:'s| is| are| has| have)? (?:all )?(?:finished|gone|all gone|empty|used up|run out|ran out|out|done for|been used up|been finished)$/, status: 'out', strength: 'weak' },
  { re: /^no (.+)$/, status: 'out', strength: 'weak' },

  // Have.
  { re: new RegExp(`^${HAVE_SUBJECT}(?:still |already |now )?(?:have |got )?(?:plenty|lots|loads|tons|heaps|a lot|enough|more than enough|a ton|stacks|a good amount|a load|a bunch) (?:of )?(.+?)(?: left| now| at home| in the (?:pantry|fridge|freezer|house))?$`), status: 'have', strength: 'medium' },
  { re: /^(?:we |i )?(?:just |have |'ve |already )?(?:stocked up on|stocked up|restocked|replenished|refilled|topped up|topped up on|bought more|got more)(?: the| on)? (.+)$/, status: 'have', strength: 'medium' },
  // "we have milk", "we've got milk"; but "we got milk" is a check-off, below.
  { re: /^(?:we (?:already |still |now |also )*have(?: got)?|we've (?:already |still |also )*got) (?:some |the )?(.+?)(?: at home| in the (?:pantry|fridge|freezer|cupboard|house)| already| still| now| again)?$/, status: 'have', strength: 'weak' },
  { re: /^(?:the |our )?(.+?) (?:is|are) (?:fully |well |all |now )?(?:stocked|in stock|restocked|stocked up|topped up)$/, status: 'have', strength: 'weak' },
];

function matchPantry(body: string, ctx: Ctx): ParseResult | null {
  for (const { re, status, strength } of PANTRY_RES) {
    const match = re.exec(body);
    if (match === null) continue;
    const result = pantrySet(match[1] ?? '', status, strength, ctx);
    if (result !== null) return result;
  }
  return null;
}

// --- Remove, check, add ---

const REMOVE_RES: ReadonlyArray<{ re: RegExp; strength: Strength }> = [
  { re: /^(?:remove|delete|del|rm|erase|unlist|remove the item|delete the item)[:,]?\s+(.+)$/, strength: 'strong' },
  { re: /^(?:drop|scratch|strike|nix|ditch|scrap|axe|cancel|bin)\s+(.+)$/, strength: 'medium' },
  { re: /^get rid of (.+)$/, strength: 'strong' },
  { re: /^take off (.+)$/, strength: 'strong' },
  { re: /^(?:(?:we|i) )?(?:don't|dont|do not|no longer|won't|wont|didn't|didnt) (?:need|want)(?: to (?:buy|get))? (?:the |any )?(.+?)(?: anymore| any more| after all| now| today| this week)?$/, strength: 'medium' },
  { re: /^(?:don't|dont|do not|no need to) (?:buy|get|bother with|bother getting|pick up|grab) (?:the |any )?(.+?)(?: anymore| after all| this time| today)?$/, strength: 'medium' },
  { re: /^(?:never ?mind|nvm|forget|forget about|skip|no need for|leave out|leave off|hold off on|hold the) (?:the |about the )?(.+?)(?: then| after all| for now| this time| this week)?$/, strength: 'medium' },
  { re: /^(?:the |our )?(.+?) (?:is|are|isn't|aren't) (?:not needed|no longer needed|not necessary|not needed anymore|needed anymore)$/, strength: 'weak' },
];
const TAKE_OFF_RE = /^(?:take|get|knock) (.+?) off(?: of)?(?: (.+))?$/;

const CHECK_VERB_RE = /^(?:check|tick|cross|mark|checkoff|check-off)(?: (off|out|through))? (.+)$/;
const CHECK_DONE_SUFFIX_RE = /\s+(?:off|out|as (?:done|bought|got|purchased|complete|completed|checked|gotten|in the (?:cart|trolley|basket))|done|bought|complete|completed|purchased|got)$/;
const GOT_RE = /^(?:(?:i|we|i've|i have|i just|we just|just|i already|we already|already|finally) )?(?:got|bought|purchased|picked up|grabbed|found|collected|have got|bagged|snagged)\s+(.+)$/;
const CHECK_STATE_RES: readonly RegExp[] = [
  /^(?:the |our )?(.+?) (?:is|are|'s) (?:done|bought|got|purchased|in the (?:cart|trolley|basket)|checked off|ticked off|sorted|taken care of|in the bag)$/,
  /^(?:the |our )?(.+?) (?:done|bought|checked|ticked|ticked off|checked off|in the (?:cart|trolley|basket))$/,
];

const ADD_RES: ReadonlyArray<{ re: RegExp; strength: Strength }> = [
  { re: /^(?:add|put|stick|throw|pop|chuck|write(?: down)?|jot(?: down)?|note(?: down)?|include|append|buy|purchase)(?:\s*[:,]\s*|\s+)(.+)$/, strength: 'strong' },
  { re: /^(?:order|restock|replace|get more|buy more|need more|we need more)\s+(.+)$/, strength: 'medium' },
  {
    re: /^(?:(?:we|i|u|you|they|the house|the kids|the family|we'll|i'll|we'd|i'd|you'll)\s+)?(?:(?:also|still|really|definitely|probably|might|may|will|do|are|re|'re|gonna|going to|ll|'ll|would|so|just|then|actually|desperately|urgently)\s+)*(?:need|needs|gonna need|could use|could do with|should get|should buy|must get|must buy|have to get|have to buy|gotta get|gotta buy|got to get|got to buy|ought to get|want to get|wanna get|should pick up|need to get|need to buy|need to pick up|to get|to buy)\s+(?:to (?:buy|get|pick up|grab|order) )?(.+)$/,
    strength: 'medium',
  },
  { re: /^(?:get|grab|pick up|pickup|fetch|bring home|bring back|bring|score|snag)\s+(?:me |us |the house )?(.+)$/, strength: 'medium' },
  { re: /^(?:don't|dont|do not) forget (?:to (?:buy|get|pick up|grab|order) )?(?:about )?(.+)$/, strength: 'medium' },
  { re: /^remember (?:to (?:buy|get|pick up|grab|order) )?(?:the |some )?(.+)$/, strength: 'medium' },
  { re: /^(?:more|extra|another)\s+(.+)$/, strength: 'medium' },
];

function matchItems(body: string, ctx: Ctx): ParseResult | null {
  for (const { re, strength } of REMOVE_RES) {
    const match = re.exec(body);
    if (match === null) continue;
    const result = listItems('remove_items', match[1] ?? '', strength, ctx);
    if (result !== null) return result;
  }
  const takeOff = TAKE_OFF_RE.exec(body);
  if (takeOff !== null) {
    const ref = takeOff[2] === undefined ? { list: null } : readListRef(takeOff[2], true);
    if (ref !== null && !('pantry' in ref)) {
      const items = readItems(takeOff[1] ?? '', 'strong', ctx);
      if (items !== null) return { intent: 'remove_items', list: ref.list, items };
    }
  }

  const check = CHECK_VERB_RE.exec(body);
  if (check !== null) {
    let slot = check[2] ?? '';
    const tail = takeListTail(slot, CHECK_PREPS);
    let list: string | null = null;
    if (tail !== null && !('pantry' in tail.ref)) {
      list = tail.ref.list;
      slot = tail.rest;
    }
    const done = CHECK_DONE_SUFFIX_RE.exec(slot);
    if (done !== null) slot = slot.slice(0, done.index);
    const items = readItems(slot, check[1] !== undefined || done !== null || tail !== null ? 'strong' : 'medium', ctx);
    if (items !== null) return { intent: 'check_items', list, items };
  }

  const pantry = matchPantry(body, ctx);
  if (pantry !== null) return pantry;

  const got = GOT_RE.exec(body);
  if (got !== null) {
    const result = listItems('check_items', got[1] ?? '', 'medium', ctx);
    if (result !== null) return result;
  }
  for (const { re, strength } of ADD_RES) {
    const match = re.exec(body);
    if (match === null) continue;
    const result = listItems('add_items', match[1] ?? '', strength, ctx);
    if (result !== null) return result;
  }
  return null;
}

// --- Statements with the items first ---

const ITEMS_TO_LIST_RE = /^(.+?) (?:to|on|onto) (?:the |my |our )?(.*?) ?list$/;
const LIST_COLON_RE = /^([\p{L}\d][\p{L}\d' &-]{0,40}?)\s*:\s*(.+)$/u;
const OFF_THE_LIST_RE = /^(.+?) off (?:the |my |our )?(.*?) ?list$/;

function matchItemsFirst(body: string, ctx: Ctx): ParseResult | null {
  const toList = ITEMS_TO_LIST_RE.exec(body);
  if (toList !== null) {
    const ref = readListRef(`${toList[2] ?? ''} list`, false);
    if (ref !== null && !('pantry' in ref)) {
      const items = readItems(toList[1] ?? '', 'medium', ctx);
      if (items !== null) return { intent: 'add_items', list: ref.list, items };
    }
  }
  const offList = OFF_THE_LIST_RE.exec(body);
  if (offList !== null) {
    const ref = readListRef(`${offList[2] ?? ''} list`, false);
    if (ref !== null && !('pantry' in ref)) {
      const items = readItems(offList[1] ?? '', 'medium', ctx);
      if (items !== null) return { intent: 'remove_items', list: ref.list, items };
    }
  }
  const colon = LIST_COLON_RE.exec(body);
  if (colon !== null) {
    const ref = readListRef(colon[1] ?? '', true);
    if (ref !== null && !('pantry' in ref)) {
      const items = readItems(colon[2] ?? '', 'weak', ctx);
      if (items !== null) return { intent: 'add_items', list: ref.list, items };
    }
  }
  for (const re of CHECK_STATE_RES) {
    const match = re.exec(body);
    if (match === null) continue;
    const items = readItems(match[1] ?? '', 'weak', ctx);
    if (items !== null) return { intent: 'check_items', list: null, items };
  }
  // A bare list of known groceries, possibly with a store: "milk, eggs and bread", "milk to costco".
  const bare = listItems('add_items', body, 'weak', ctx);
  return bare;
}

/**
 * Reads an everyday household message without an LLM (DESIGN §2): add / remove / check off
 * items, show a list, pantry status, what is expiring, what to cook, reminders. Anything it is not
 * sure about is `unknown`, for the LLM. Never throws for any text (an unknown `timeZone` is a
 * RangeError, but only for reminders).
 *
 * @example parseMessage('add 2 l milk and a dozen eggs to costco', { now, timeZone: 'Europe/Stockholm' })
 * // { intent: 'add_items', list: 'costco', items: [{ name: 'milk', quantity: '2 l' }, { name: 'eggs', quantity: '12' }] }
 */
export function parseMessage(text: string, options: ParseOptions): ParseResult {
  if (typeof text !== 'string' || text.length > MAX_MESSAGE_LENGTH) return unknown();
  const { orig, low } = prepare(text);
  const memo = new Map<string, boolean>();
  const isKnownItem = options.isKnownItem;
  const known = (phrase: string): boolean => {
    if (isKnownItem === undefined || phrase === '') return false;
    let answer = memo.get(phrase);
    if (answer === undefined) {
      answer = isKnownItem(phrase);
      memo.set(phrase, answer);
    }
    return answer;
  };

  let start = 0;
  let end = low.length;
  const question = /\?[\s\p{Extended_Pictographic}\u{FE0F}!.]*$/u.test(low);
  let polite = false;
  for (let changed = true; changed;) {
    changed = false;
    for (const re of SUFFIX_RES) {
      const match = re.exec(low.slice(start, end));
      if (match !== null && match[0].length > 0 && match.index > 0) {
        end = start + match.index;
        changed = true;
      }
    }
    for (const re of ALL_PREFIX_RES) {
      const match = re.exec(low.slice(start, end));
      if (match !== null && match[0].length > 0 && match[0].length < end - start) {
        start += match[0].length;
        if (re === POLITE_RE || re === POLITE_WE_RE) polite = true;
        changed = true;
      }
    }
  }
  const body = low.slice(start, end).trim();
  start += low.slice(start, end).indexOf(body);
  if (body === '' || !/[\p{L}\d]/u.test(body)) return unknown();
  // Two sentences ("we're out of milk. add it to costco") are for the LLM.
  if (/[.!?]\s+\S/.test(body.replace(/\b(?:dr|mr|mrs|ms|st|no|approx|vs|etc)\.\s/g, ''))) return unknown();

  const quantities = new Map<string, Quantity | null>();
  const quantity = (phrase: string): Quantity | null => {
    let found = quantities.get(phrase);
    if (found === undefined) {
      found = tryParseQuantity(phrase);
      quantities.set(phrase, found);
    }
    return found;
  };
  const ctx: Ctx = { options, orig, low, start, question, polite, hasCatalog: isKnownItem !== undefined, known, quantity };
  return matchTask(body, ctx) ?? matchQuestion(body, ctx) ?? matchItems(body, ctx) ?? matchItemsFirst(body, ctx) ?? unknown();
}
