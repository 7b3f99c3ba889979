import { parseIngredientLine, type ParsedIngredient } from './ingredient-line.ts';

/** A recipe read from pasted text, with no LLM. */
export interface ParsedRecipe {
  /** The recipe's name as written, or "" when the text has none. */
  title: string;
  /** How many it serves or makes, the lower bound of a range; null when not stated. */
  servings: number | null;
  ingredients: ParsedIngredient[];
  /** Method steps, numbering removed; one paragraph is one step. */
  steps: string[];
}

/** The shape `larder recipe parse --json` prints: ingredients without the `optional` flag. */
export interface RecipeJson {
  title: string;
  servings: number | null;
  ingredients: Array<{ name: string; amount: number | null; unit: string | null; note: string | null }>;
  steps: string[];
}

type Section = 'preamble' | 'ingredients' | 'steps' | 'ignored';

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, dozen: 12,
};

const NUM = '(\\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|a dozen|dozen)';

/** Ways a recipe says how many it serves; the first number is taken ("serves 4-6" → 4). */
const SERVINGS_PATTERNS: readonly RegExp[] = [
  new RegExp(`\\bserves\\s*:?\\s*(?:about\\s+|up to\\s+|approx\\.?\\s+)?${NUM}\\b`, 'i'),
  new RegExp(`\\bservings?\\s*:?\\s*${NUM}\\b`, 'i'),
  new RegExp(`\\bfeeds\\s*:?\\s*(?:about\\s+)?${NUM}\\b`, 'i'),
  new RegExp(`\\bmakes\\s*:?\\s*(?:about\\s+|approximately\\s+|around\\s+)?${NUM}\\b`, 'i'),
  new RegExp(`\\byields?\\s*:?\\s*(?:about\\s+)?${NUM}\\b`, 'i'),
  new RegExp(`\\bportions?\\s*:?\\s*${NUM}\\b`, 'i'),
  new RegExp(`\\bfor\\s+${NUM}(?:\\s*(?:-|–|to)\\s*\\d+)?\\s+(?:people|persons?|servings?|portions?|adults|guests|hungry)`, 'i'),
  new RegExp(`\\b${NUM}(?:\\s*(?:-|–|to)\\s*\\d+)?\\s+(?:servings|portions|people|persons)\\b`, 'i'),
];

/** A line that is mostly a servings statement, so it is metadata and not a step or an ingredient. */
const SERVINGS_LINE = new RegExp(
  `^(?:serves|servings?|feeds|makes|yields?|portions?|for\\s+${NUM}\\s+(?:people|persons|servings|portions)|${NUM}(?:\\s*(?:-|–|to)\\s*\\d+)?\\s+(?:servings|portions))\\b`,
  'i',
);

/** Lines website copy carries around a recipe: times, nutrition, buttons, ratings, bylines. */
const NOISE_PATTERNS: readonly RegExp[] = [
  /^(?:prep|preparation|cook|cooking|total|active|inactive|bake|baking|resting|rest|chilling|chill|marinating|hands[- ]on|additional|ready|standing|freezing)\s*times?\b/i,
  /^ready in\s+\d/i,
  /^(?:\d+\s*(?:hours?|hrs?|h|minutes?|mins?|m)\b\.?\s*)+$/i,
  /^(?:calories|kcal|nutrition\b|nutritional|carbohydrates?\s*:|serving size\s*:)/i,
  /(?:calories|protein|carbohydrates|fat|sodium|fiber|fibre|sugar)\s*:?\s*\d+\s*(?:k?cal|mg|g)\b.*\|/i,
  /^(?:print|pin|save|share|rate|email|tweet)(?:\s+(?:this|the|it|recipe|now|on pinterest))*\s*[!.]?$/i,
  /^(?:jump|skip|go)\s+to\s+(?:the\s+)?(?:recipe|video|comments?|content|instructions)\b/i,
  /^[★☆✩✪⭐✭✮\s]+(?:\s*\(?\d.*)?$/,
  /^(?:rated\s+)?\d(?:\.\d+)?\s*(?:from|out of)\s*\d+\s*(?:votes?|reviews?|ratings?|stars?)?\b/i,
  /^(?:rated\s+)?\d(?:\.\d+)?\s*\/\s*5(?:\s*stars?)?$/i,
  /^home\s*[»›>/|]/i,
  /^\(?\d[\d,]*\s*(?:votes?|reviews?|ratings?|comments?)\)?$/i,
  /^\d(?:\.\d)?\s*stars?$/i,
  /^(?:course|cuisine|keywords?|author|category|categories|diet|difficulty|skill level|level|recipe by|source|published|updated|posted|tags?)\s*:/i,
  /^by\s+\p{Lu}[\p{L}.'-]*(?:\s+\p{Lu}[\p{L}.'-]*){0,3}$/u,
  /^(?:cook mode|scale|units?|us customary|metric|us customary\s*[-|/]\s*metric|us\s*[-|/]\s*metric|\d+x(?:\s*\d+x)*|advertisement|ad|video|recipe card|recipe|print recipe|save recipe|pin recipe)\s*[:.!]?$/i,
  /^(?:prevent your screen from going dark|did you make this|tried this recipe|tag @|leave a (?:comment|review)|have you tried|love this recipe|watch (?:the|how)|click (?:here|on)|read more|see more|subscribe|sign up)\b.{0,80}$/i,
  /^[-=*_~·•.\s]{3,}$/,
];

/** Headings that open the ingredient list. */
const INGREDIENTS_HEADING = /^(?:ingredients?|ingredient list|what you(?:'ll| will)? need|you(?:'ll| will) need|shopping list)$/;
/** Headings that open the method. */
const STEPS_HEADING =
  /^(?:method|methods|directions?|instructions?|steps?|preparation|how to make(?: it| them| this| the \w+)?|how to cook(?: it| them)?|procedure|cooking instructions|cooking directions|to make|what to do|recipe steps|making it|the method)$/;
/** Headings of sections that are neither ingredients nor steps; their lines are left out. */
const IGNORED_HEADING =
  /^(?:notes?|recipe notes?|cook'?s notes?|chef'?s notes?|tips?|tips (?:and|&) tricks|recipe tips|nutrition|nutrition (?:facts|information|info)|nutritional information|equipment|storage|storage tips|to store|make ahead|serving suggestions?|variations?|substitutions?|faqs?|video|reviews?|comments?|related recipes?|you may also like|more recipes|description|about this recipe|why (?:you'll|you will) love (?:it|this recipe))$/;
/** Sub-headings inside a section that name a part of the dish, not an ingredient. */
const PART_HEADING =
  /^(?:the\s+)?(?:sauce|dough|filling|topping|toppings|crust|base|marinade|dressing|glaze|frosting|icing|batter|garnish|crumble|syrup|pastry|to serve|for serving|assembly|to assemble)$/;

/** Imperative openings of method steps. */
const STEP_VERBS = new Set([
  'preheat', 'heat', 'reheat', 'mix', 'combine', 'add', 'stir', 'whisk', 'beat', 'bake', 'cook', 'fry',
  'saute', 'sauté', 'boil', 'simmer', 'bring', 'place', 'put', 'pour', 'serve', 'cut', 'chop', 'slice',
  'dice', 'mince', 'peel', 'drain', 'rinse', 'season', 'sprinkle', 'spread', 'fold', 'knead', 'roll',
  'transfer', 'remove', 'let', 'allow', 'cover', 'grease', 'line', 'melt', 'blend', 'process', 'pulse',
  'toss', 'marinate', 'roast', 'grill', 'garnish', 'divide', 'reduce', 'return', 'repeat', 'set', 'leave',
  'meanwhile', 'then', 'once', 'when', 'while', 'in', 'on', 'using', 'use', 'make', 'prepare', 'wash',
  'pat', 'spoon', 'arrange', 'scatter', 'squeeze', 'taste', 'adjust', 'check', 'turn', 'flip', 'shape',
  'form', 'chill', 'refrigerate', 'freeze', 'store', 'enjoy', 'finally', 'first', 'next', 'after',
  'gently', 'carefully', 'slowly', 'whip', 'sift', 'soak', 'toast', 'crack', 'brush', 'drizzle', 'mash',
  'microwave', 'steam', 'poach', 'sear', 'assemble', 'layer', 'stuff', 'wrap', 'fill', 'dust', 'scrape',
  'pop', 'throw', 'chuck', 'dump', 'get', 'start', 'keep', 'continue', 'lower', 'increase', 'preheating',
  'bake', 'sprinkle', 'top', 'stir-fry', 'deglaze', 'strain', 'cool', 'rest', 'tip', 'lay', 'dip', 'coat',
]);

/** A leading step number: "1.", "1)", "(1)", "Step 1:", "Step 1 -", "1 -". */
const STEP_NUMBER = /^(?:step\s*\d{1,2}\s*[:.)\-–—]?|\(\d{1,2}\)|\d{1,2}\s*[.):]|\d{1,2}\s+[-–—])\s*/i;

const BULLET = /^(?:[-*•·◦▪▫‣⁃–—▢☐□■●○✓✔➤►>+]|\[\s?[xX✓]?\s?\])\s*/;

/** Removes markdown emphasis, heading marks, bullets and invisible spacing from a line. */
function tidy(line: string): string {
  return line
    .replace(/[\u00a0\u2000-\u200b\u202f\u3000\t\ufeff]/g, ' ')
    .replace(/\*\*|__|`/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The line as a heading would read: no marks, bullets, colon or trailing note in parentheses. */
function headingKey(line: string): string {
  return line
    .replace(/^#+\s*/, '')
    .replace(BULLET, '')
    .replace(/\s*\([^)]*\)\s*$/, '')
    // "Ingredients for 4", "Ingredients for the dressing": still the ingredients heading.
    .replace(/\s+for\s+.*$/i, '')
    .replace(/[\s:\-–—.]+$/, '')
    .replace(/^[^\p{L}\p{N}]+/u, '')
    .trim()
    .toLowerCase();
}

/** The section a heading opens, with any text after its colon ("Ingredients: 2 eggs, milk"). */
function readHeading(line: string): { section: Exclude<Section, 'preamble'>; rest: string } | null {
  const key = headingKey(line);
  if (INGREDIENTS_HEADING.test(key)) return { section: 'ingredients', rest: '' };
  if (STEPS_HEADING.test(key)) return { section: 'steps', rest: '' };
  if (IGNORED_HEADING.test(key)) return { section: 'ignored', rest: '' };
  const inline = /^(?:#+\s*)?([\p{L}' ]{3,30}?)\s*[:\-–—]\s+(.+)$/u.exec(line);
  if (inline?.[1] !== undefined && inline[2] !== undefined) {
    const head = inline[1].trim().toLowerCase();
    if (INGREDIENTS_HEADING.test(head)) return { section: 'ingredients', rest: inline[2] };
    if (STEPS_HEADING.test(head)) return { section: 'steps', rest: inline[2] };
    if (IGNORED_HEADING.test(head)) return { section: 'ignored', rest: '' };
  }
  return null;
}

/** Whether a line is website or message clutter around the recipe. */
function isNoise(line: string): boolean {
  if (!/[\p{L}\p{N}]/u.test(line)) return true;
  return NOISE_PATTERNS.some((pattern) => pattern.test(line));
}

/** A heading for one part of the dish ("For the sauce:", "## Dough", "Topping"), skipped in any section. */
function isPartHeading(line: string): boolean {
  if (/^\d/.test(line.replace(BULLET, ''))) return false;
  if (line.startsWith('#')) return true;
  const plain = line.replace(BULLET, '').trim();
  if (/:$/.test(plain) && plain.split(/\s+/).length <= 6) return true;
  if (/^for\s/i.test(plain) && !/\d/.test(plain) && plain.split(/\s+/).length <= 6 && !/[.!?]$/.test(plain)) return true;
  return PART_HEADING.test(headingKey(plain));
}

/** The number a servings match captured: digits or a number word. */
function servingsNumber(word: string): number | null {
  const lower = word.toLowerCase().replace(/^a\s+/, '');
  const value = /^\d+$/.test(lower) ? Number(lower) : NUMBER_WORDS[lower];
  return value !== undefined && Number.isFinite(value) && value > 0 && value < 1000 ? value : null;
}

/**
 * How many a recipe serves, read from one line: "Serves 4", "Servings: 6", "Makes 12 cookies",
 * "Yield: 4 servings", "for 4 people", "4 portions", "serves 4-6" (4). Null when the line says none.
 *
 * @example parseServings('Serves 4-6') // 4
 */
export function parseServings(line: string): number | null {
  for (const pattern of SERVINGS_PATTERNS) {
    const match = pattern.exec(line);
    if (match?.[1] !== undefined) return servingsNumber(match[1]);
  }
  return null;
}

/** Whether the line starts like an ingredient: a number, a fraction, or "a pinch"/"half a". */
function startsWithAmount(line: string): boolean {
  const plain = line.replace(BULLET, '').trim();
  if (/^(?:\d|[¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞])/.test(plain)) return !STEP_NUMBER.test(plain) || startsWithAmount(plain.replace(STEP_NUMBER, 'x'));
  const words = plain.split(/\s+/);
  return (
    words.length <= 8 &&
    /^(?:an?|half|one|two|three|four|five|six|seven|eight|nine|ten|twelve|pinch|dash|handful|splash|knob|some|a few)\b/i.test(plain) &&
    !/[.!?]$/.test(plain)
  );
}

/** Whether a line reads as a method step rather than an ingredient. */
function looksLikeStep(line: string): boolean {
  const plain = line.replace(BULLET, '').trim();
  if (/^step\s*\d/i.test(plain)) return true;
  if (STEP_NUMBER.test(plain)) {
    const rest = plain.replace(STEP_NUMBER, '');
    return !startsWithAmount(rest) || rest.split(/\s+/).length > 10;
  }
  if (startsWithAmount(plain)) return false;
  const words = plain.split(/\s+/);
  const first = (words[0] ?? '').toLowerCase().replace(/[,.:;!]$/, '');
  if (STEP_VERBS.has(first) && (words.length >= 4 || /[.!]$/.test(plain))) return true;
  if (words.length >= 12) return true;
  return words.length >= 6 && /[.!?]$|\.\s/.test(plain);
}

/** A step without its number or bullet; "" when nothing is left ("Step 2" alone on its line). */
function stepText(line: string): string {
  let text = line.replace(/^#+\s*/, '').replace(BULLET, '').trim();
  text = text.replace(STEP_NUMBER, '').trim();
  if (/^step\s*\d{1,2}$/i.test(text) || /^\d{1,2}[.)]?$/.test(text)) return '';
  return text;
}

/** Splits "2 eggs, 1 cup milk, 1 cup flour" written on one line; a part without an amount joins the previous one. */
function splitInlineIngredients(text: string): string[] {
  const parts = text.split(/\s*[,;]\s*|\s+and\s+(?=\d)/).filter((p) => p !== '');
  const laterWithAmount = parts.slice(1).some((p) => startsWithAmount(p));
  if (!laterWithAmount) return parts;
  const joined: string[] = [];
  for (const part of parts) {
    const last = joined.length - 1;
    if (last >= 0 && !startsWithAmount(part)) joined[last] = `${joined[last] ?? ''}, ${part}`;
    else joined.push(part);
  }
  return joined;
}

/** Cleans the title line: markdown, "Recipe:" prefixes, servings and chat phrasing. */
function readTitle(line: string): string {
  let title = line
    .replace(/^#+\s*/, '')
    .replace(/^(?:recipe(?:\s+name)?|title|name)\s*[:\-–—]\s*/i, '')
    .replace(/\s*[([][^)\]]*(?:serves|servings?|makes|people|portions)[^)\]]*[)\]]\s*/gi, ' ')
    .replace(/\s*[-–—|,]\s*(?:serves|makes|for)\s+\d.*$/i, '')
    .replace(/\s+(?:serves|for)\s+\d+\s*(?:people|persons?|servings?|portions?)?\s*$/i, '')
    .trim();
  // Chat: "Hi! Here's my grandma's pancake recipe:", "here is the recipe for banana bread".
  title = title.replace(/^(?:hi|hey|hello|hiya|ok|okay|so)\b[^!.,:]*[!.,:]\s*/i, '');
  const recipeFor = /\brecipe\s+for\s+(?:(?:my|the|our|a|an|that)\s+)?(.+?)(?:\s+(?:you|i|we)\s+.*)?[\s:.!)]*$/i.exec(title);
  const namedRecipe = /^(?:here(?:'s| is| are)|this is|sending you|as promised,?)\s+(?:(?:my|the|our|a|an|that)\s+)?(.+?)\s+recipe\b/i.exec(title);
  if (recipeFor?.[1] !== undefined) title = recipeFor[1];
  else if (namedRecipe?.[1] !== undefined) title = namedRecipe[1];
  title = title.replace(/^[^\p{L}\p{N}(]+|[^\p{L}\p{N})]+$/gu, '').trim();
  // A long sentence is prose, not a name.
  return title.split(/\s+/).length > 12 ? '' : title;
}

/** Mutable state of one parse, local to the call. */
interface ParseState {
  title: string | null;
  servings: number | null;
  ingredients: ParsedIngredient[];
  steps: string[];
}

/** Adds one ingredient line when it parses. */
function addIngredient(state: ParseState, line: string): void {
  const parsed = parseIngredientLine(line);
  if (parsed !== null) state.ingredients.push(parsed);
}

/** Adds one step, joining a hard-wrapped continuation onto the step before it. */
function addStep(state: ParseState, line: string, numbered: boolean): void {
  const text = stepText(line);
  if (text === '') return;
  const last = state.steps.length - 1;
  const previous = state.steps[last];
  // Only a line that stops mid-phrase was wrapped; chat lines without full stops are steps of their own.
  const wrapped = previous !== undefined && /(?:,|\b(?:and|or|the|a|an|with|to|of|in|into|on|then|until|for|at|by|over))$/i.test(previous);
  if (!numbered && wrapped && /^\p{Ll}/u.test(text)) {
    state.steps[last] = `${previous} ${text}`;
    return;
  }
  state.steps.push(text);
}

/** Takes servings from a line if none were found yet; true when the line is only a servings statement. */
function takeServings(state: ParseState, line: string, anywhere: boolean): boolean {
  const plain = line.replace(/^#+\s*/, '').replace(BULLET, '').trim();
  const isLine = SERVINGS_LINE.test(plain) && plain.split(/\s+/).length <= 8;
  if ((isLine || anywhere) && state.servings === null) state.servings = parseServings(plain);
  return isLine;
}

/**
 * Reads a recipe pasted as text — from a website (with its clutter), a chat message, markdown — into
 * title, servings, ingredients and steps, with no LLM. Sections follow headings ("Ingredients",
 * "Method", "Directions", …); without headings, lines that start with an amount or a bullet are
 * ingredients and numbered or sentence-like lines are steps. Notes, nutrition, times, ratings and
 * buttons are left out. Never throws; text with no recipe gives an empty title and empty lists.
 *
 * @example parseRecipeText('Pancakes\nServes 2\n\n2 eggs\n1 cup milk\n\n1. Whisk.\n2. Fry.')
 * // { title: 'Pancakes', servings: 2, ingredients: [eggs, milk], steps: ['Whisk.', 'Fry.'] }
 */
export function parseRecipeText(text: string): ParsedRecipe {
  const state: ParseState = { title: null, servings: null, ingredients: [], steps: [] };
  if (typeof text !== 'string') return { title: '', servings: null, ingredients: [], steps: [] };

  const lines = text.split(/\r\n|\r|\n|\u2028|\u2029/).map(tidy).filter((line) => line !== '');
  const hasIngredientsHeading = lines.some((line) => readHeading(line)?.section === 'ingredients');
  const hasHeadings = lines.some((line) => readHeading(line) !== null);
  let section: Section = 'preamble';
  let seenContent = false;

  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';

    const heading = readHeading(line);
    if (heading !== null) {
      takeServings(state, line, true);
      section = heading.section;
      seenContent = true;
      if (heading.rest !== '' && section === 'ingredients') {
        for (const part of splitInlineIngredients(heading.rest)) addIngredient(state, part);
      } else if (heading.rest !== '' && section === 'steps') {
        addStep(state, heading.rest, true);
      }
      continue;
    }

    // "Servings" alone, its number on the next line (how recipe cards copy).
    if (/^(?:servings|serves|yield|makes)\s*:?$/i.test(line)) {
      const next = lines[i + 1] ?? '';
      if (state.servings === null && /^\d/.test(next)) state.servings = servingsNumber(/^\d+/.exec(next)?.[0] ?? '');
      if (/^\d/.test(next)) i += 1;
      continue;
    }
    if (takeServings(state, line, section === 'preamble' || section === 'ignored')) continue;
    if (section === 'ignored' || isNoise(line)) continue;

    if (state.title === null && section === 'preamble' && !seenContent) {
      seenContent = true;
      const label = line.replace(/^#+\s*/, '');
      if (!startsWithAmount(line) && !STEP_NUMBER.test(line) && !BULLET.test(line) && !/:$/.test(label) && !/^for\s/i.test(label)) {
        state.title = readTitle(line);
        continue;
      }
      state.title = '';
    }

    if (isPartHeading(line)) {
      if (section === 'preamble' && !hasHeadings) section = 'ingredients';
      continue;
    }

    if (section === 'ingredients') {
      // Recipe cards bullet every ingredient but not the group names between them ("Chicken", "Sauce").
      const next = lines[i + 1] ?? '';
      if (!BULLET.test(line) && !startsWithAmount(line) && BULLET.test(next) && line.split(/\s+/).length <= 4 && !/[,.]/.test(line)) continue;
      // A method with no heading of its own starts where sentences start.
      if (looksLikeStep(line) && (STEP_NUMBER.test(line.replace(BULLET, '')) || !startsWithAmount(line))) {
        section = 'steps';
        addStep(state, line, STEP_NUMBER.test(line));
        continue;
      }
      if (line.startsWith('#')) continue;
      addIngredient(state, line);
      continue;
    }

    if (section === 'steps') {
      addStep(state, line, STEP_NUMBER.test(line.replace(BULLET, '')));
      continue;
    }

    // Preamble: with headings elsewhere it is the blurb, except ingredients written before "Method".
    if (hasHeadings) {
      if (!hasIngredientsHeading && startsWithAmount(line)) addIngredient(state, line);
      continue;
    }
    // No headings at all: guess line by line.
    if (looksLikeStep(line)) {
      addStep(state, line, STEP_NUMBER.test(line.replace(BULLET, '')));
    } else if (startsWithAmount(line) || BULLET.test(line) || (state.steps.length === 0 && isShortPhrase(line))) {
      addIngredient(state, line);
    } else if (state.steps.length > 0 || state.ingredients.length > 0) {
      addStep(state, line, false);
    }
  }

  return { title: state.title ?? '', servings: state.servings, ingredients: state.ingredients, steps: state.steps };
}

/** A few words without sentence punctuation: "salt and pepper", "fresh basil". */
function isShortPhrase(line: string): boolean {
  return line.split(/\s+/).length <= 6 && !/[.!?]$/.test(line);
}

/**
 * The object `larder recipe parse --json` prints: ingredients reduced to name, amount, unit, note.
 *
 * @example JSON.stringify(toRecipeJson(parseRecipeText(text)))
 */
export function toRecipeJson(recipe: ParsedRecipe): RecipeJson {
  return {
    title: recipe.title,
    servings: recipe.servings,
    ingredients: recipe.ingredients.map(({ name, amount, unit, note }) => ({ name, amount, unit, note })),
    steps: recipe.steps,
  };
}
