import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { Reply } from '../core/assistant/assistant.ts';
import type { ItemView } from '../core/services/views.ts';

/** Telegram's limit on callback data, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;

/** At most this many ✓ buttons under a list; Telegram caps a keyboard's size. */
export const MAX_ITEM_BUTTONS = 60;

/** What a button asks for; the household always comes from the chat the button is in, never from here. */
export type ButtonAction =
  /** Tick an item off the list shown in this message (the list is re-rendered in place). */
  | { kind: 'tick'; listId: number; itemId: number }
  /** Undo a tick made from this list message, and re-render the list. */
  | { kind: 'untick'; listId: number; requestId: string }
  /** Undo one request. */
  | { kind: 'undo'; requestId: string }
  /** Confirm or cancel a preview. */
  | { kind: 'confirm'; previewId: string }
  | { kind: 'cancel'; previewId: string }
  /** Put these pantry entries on their lists. */
  | { kind: 'restock'; pantryIds: number[] }
  /** Mark a reminded task done. */
  | { kind: 'done'; itemId: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID = /^[0-9a-z]{1,11}$/;

// Ids in base 36 keep several of them inside 64 bytes.
const id36 = (value: number) => value.toString(36);
const fromId36 = (text: string | undefined): number | null => {
  if (text === undefined || !ID.test(text)) return null;
  const value = Number.parseInt(text, 36);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
};

/** The callback data of a button (at most 64 bytes; null when it would not fit). */
export function encodeAction(action: ButtonAction): string | null {
  let data: string;
  switch (action.kind) {
    case 'tick':
      data = `t:${id36(action.listId)}:${id36(action.itemId)}`;
      break;
    case 'untick':
      data = `lu:${id36(action.listId)}:${action.requestId}`;
      break;
    case 'undo':
      data = `u:${action.requestId}`;
      break;
    case 'confirm':
      data = `c:${action.previewId}`;
      break;
    case 'cancel':
      data = `x:${action.previewId}`;
      break;
    case 'restock':
      data = `r:${action.pantryIds.map(id36).join('.')}`;
      break;
    case 'done':
      data = `d:${id36(action.itemId)}`;
      break;
  }
  return Buffer.byteLength(data, 'utf8') <= CALLBACK_DATA_LIMIT ? data : null;
}

/** Reads callback data back; null for anything malformed (old buttons, forged data). */
export function decodeAction(data: string): ButtonAction | null {
  const [kind, first, second] = data.split(':');
  switch (kind) {
    case 't': {
      const listId = fromId36(first);
      const itemId = fromId36(second);
      return listId && itemId ? { kind: 'tick', listId, itemId } : null;
    }
    case 'lu': {
      const listId = fromId36(first);
      return listId && second && UUID.test(second) ? { kind: 'untick', listId, requestId: second } : null;
    }
    case 'u':
      return first && UUID.test(first) ? { kind: 'undo', requestId: first } : null;
    case 'c':
      return first && UUID.test(first) ? { kind: 'confirm', previewId: first } : null;
    case 'x':
      return first && UUID.test(first) ? { kind: 'cancel', previewId: first } : null;
    case 'r': {
      const ids = (first ?? '').split('.').map(fromId36);
      return ids.length > 0 && ids.every((id) => id !== null) ? { kind: 'restock', pantryIds: ids } : null;
    }
    case 'd': {
      const itemId = fromId36(first);
      return itemId ? { kind: 'done', itemId } : null;
    }
    default:
      return null;
  }
}

function button(text: string, action: ButtonAction): InlineKeyboardButton | null {
  const data = encodeAction(action);
  return data === null ? null : { text, callback_data: data };
}

/** A name cut in the middle to `max` characters: the end often tells similar items apart ("tomatoes, chopped" / "…, whole"). */
export function shorten(name: string, max = 28): string {
  if (name.length <= max) return name;
  const head = Math.ceil((max - 1) / 2);
  return `${name.slice(0, head).trimEnd()}…${name.slice(name.length - (max - 1 - head)).trimStart()}`;
}

/** "✓ olive oil". */
function tickLabel(item: Pick<ItemView, 'name'>): string {
  return `✓ ${shorten(item.name)}`;
}

/** One ✓ button per open item, two to a row, and an Undo for the last tick when there is one. */
export function listKeyboard(listId: number, items: readonly ItemView[], lastTick?: { requestId: string; name: string }): InlineKeyboardButton[][] {
  const rows: InlineKeyboardButton[][] = [];
  const open = items.filter((item) => !item.checked).slice(0, MAX_ITEM_BUTTONS);
  for (let index = 0; index < open.length; index += 2) {
    const row = open
      .slice(index, index + 2)
      .map((item) => button(tickLabel(item), { kind: 'tick', listId, itemId: item.id }))
      .filter((entry): entry is InlineKeyboardButton => entry !== null);
    if (row.length > 0) rows.push(row);
  }
  if (lastTick) {
    const undo = button(`↩️ Undo ✓ ${shorten(lastTick.name, 24)}`, { kind: 'untick', listId, requestId: lastTick.requestId });
    if (undo) rows.push([undo]);
  }
  return rows;
}

/** The buttons a reply carries: ✓ per list item, follow-ups, Confirm/Cancel, Undo. */
export function replyKeyboard(reply: Reply): InlineKeyboardMarkup | undefined {
  const rows: InlineKeyboardButton[][] = [];
  if (reply.list) rows.push(...listKeyboard(reply.list.listId, reply.list.items));
  for (const offer of reply.actions ?? []) {
    const entry = button(offer.label, { kind: 'restock', pantryIds: offer.action.pantryIds });
    if (entry) rows.push([entry]);
  }
  if (reply.preview) {
    const row = [button('✅ Confirm', { kind: 'confirm', previewId: reply.preview.id }), button('✖️ Cancel', { kind: 'cancel', previewId: reply.preview.id })];
    rows.push(row.filter((entry): entry is InlineKeyboardButton => entry !== null));
  }
  if (reply.undoRequestId) {
    const undo = button('↩️ Undo', { kind: 'undo', requestId: reply.undoRequestId });
    if (undo) rows.push([undo]);
  }
  return rows.length > 0 ? { inline_keyboard: rows } : undefined;
}

/** The keyboard of a reminder: mark the task done. */
export function reminderKeyboard(itemId: number): InlineKeyboardMarkup | undefined {
  const done = button('✓ Done', { kind: 'done', itemId });
  return done ? { inline_keyboard: [[done]] } : undefined;
}

/** Just an Undo button for one request. */
export function undoKeyboard(requestId: string): InlineKeyboardMarkup | undefined {
  const undo = button('↩️ Undo', { kind: 'undo', requestId });
  return undo ? { inline_keyboard: [[undo]] } : undefined;
}
