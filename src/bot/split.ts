/** Telegram's limit on one message's text. */
export const MESSAGE_LIMIT = 4096;

/** Room kept in each part for closing and reopening the tags a cut goes through. */
const TAG_ROOM = 256;

interface OpenTag {
  name: string;
  open: string;
}

/**
 * Cuts a piece of Telegram HTML into atoms that never split a tag or an `&…;` entity: lines
 * first, then words, then characters for a word too long to fit.
 */
function atoms(html: string, max: number): string[] {
  const result: string[] = [];
  for (const line of html.split(/(?<=\n)/)) {
    if (line.length <= max) {
      result.push(line);
      continue;
    }
    let current = '';
    for (const token of tokens(line)) {
      if (current.length + token.length > max && current !== '') {
        result.push(current);
        current = '';
      }
      if (token.length <= max) current += token;
      else for (let at = 0; at < token.length; at += max) result.push(token.slice(at, at + max));
    }
    if (current !== '') result.push(current);
  }
  return result;
}

/** Tags, entities, words (with the space after them) and single characters, in order. */
function tokens(text: string): string[] {
  return text.match(/<[^>]*>|&[#a-zA-Z0-9]+;|[^\s<&]+\s*|\s+|[<&]/g) ?? [];
}

/** Updates the open-tag stack with the tags in `piece`. */
function track(stack: OpenTag[], piece: string): void {
  for (const match of piece.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>/g)) {
    const [open, closing, rawName] = match;
    const name = (rawName ?? '').toLowerCase();
    if (closing) {
      const index = stack.map((tag) => tag.name).lastIndexOf(name);
      if (index >= 0) stack.splice(index, 1);
    } else {
      stack.push({ name, open });
    }
  }
}

const closers = (stack: readonly OpenTag[]) => [...stack].reverse().map((tag) => `</${tag.name}>`).join('');
const openers = (stack: readonly OpenTag[]) => stack.map((tag) => tag.open).join('');

/**
 * Splits Telegram HTML into messages of at most `limit` characters, at line boundaries when it
 * can, never inside a tag or an entity; a tag open across a cut is closed at the end of one part
 * and opened again at the start of the next, so every part parses on its own.
 *
 * @example splitHtml(renderList(list, items)) // one string when it fits
 */
export function splitHtml(html: string, limit = MESSAGE_LIMIT): string[] {
  if (html.length <= limit) return [html];
  const room = Math.min(TAG_ROOM, Math.floor(limit / 4));
  const parts: string[] = [];
  const stack: OpenTag[] = [];
  let current = '';
  for (const atom of atoms(html, limit - 2 * room)) {
    const after = [...stack];
    track(after, atom);
    if (current !== '' && current.length + atom.length + closers(after).length > limit) {
      parts.push(current + closers(stack));
      current = openers(stack);
    }
    current += atom;
    stack.splice(0, stack.length, ...after);
  }
  if (current !== '') parts.push(current + closers(stack));
  return parts.map((part) => part.replace(/^\n+|\n+$/g, '')).filter((part) => part.replace(/<[^>]*>/g, '').trim() !== '');
}
