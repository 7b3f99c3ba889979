import { GrammyError } from 'grammy';
import type { InlineKeyboardMarkup, Message } from 'grammy/types';
import type { Reply } from '../core/assistant/assistant.ts';
import { createPreviewService } from '../core/assistant/previews.ts';
import { escapeHtml } from '../core/assistant/render.ts';
import { isLarderError } from '../core/errors.ts';
import { summarize, type UndoResult } from '../core/services/journal.ts';
import { encodeAction, replyKeyboard } from './buttons.ts';
import type { LarderContext } from './context.ts';
import { MESSAGE_LIMIT, splitHtml } from './split.ts';

/** A short answer that is not a change: no buttons. */
export function say(html: string): Reply {
  return { html, understood: true };
}

/** A LarderError becomes its own message (written for people); anything else is not shown. */
export function friendlyError(error: unknown): string | null {
  return isLarderError(error) ? `⚠️ ${escapeHtml(error.message)}` : null;
}

/**
 * A restock offer whose pantry ids do not fit in a button's 64 bytes becomes a preview
 * (Confirm/Cancel) of the same restock, so the offer is never silently dropped.
 */
async function fitActions(ctx: LarderContext, reply: Reply): Promise<Reply> {
  const tooLong = (reply.actions ?? []).filter((offer) => encodeAction({ kind: 'restock', pantryIds: offer.action.pantryIds }) === null);
  if (tooLong.length === 0 || reply.preview) return reply;
  const ids = new Set(tooLong.flatMap((offer) => offer.action.pantryIds));
  const names = (await ctx.core.pantry.list(ctx.request())).filter((entry) => ids.has(entry.id)).map((entry) => entry.name);
  const summary = `put ${names.length} pantry items on their lists`;
  const id = await createPreviewService({ core: ctx.core }).create(ctx.household.id, summary, [{ tool: 'restock', args: { names } }]);
  return { ...reply, actions: (reply.actions ?? []).filter((offer) => !tooLong.includes(offer)), preview: { id, summary } };
}

/**
 * Sends a reply: HTML, split under Telegram's limit at line boundaries, the buttons under the
 * last part. In a group the first part answers the message it is about, so a busy chat can
 * tell which message it answers.
 */
export async function sendReply(ctx: LarderContext, reply: Reply): Promise<Message.TextMessage | undefined> {
  const fitted = await fitActions(ctx, reply);
  return sendHtml(ctx, fitted.html, replyKeyboard(fitted));
}

/** Sends HTML (split when long) with an optional keyboard under the last part. */
export async function sendHtml(ctx: LarderContext, html: string, keyboard?: InlineKeyboardMarkup): Promise<Message.TextMessage | undefined> {
  const parts = splitHtml(html.trim() === '' ? 'Done.' : html);
  const inGroup = ctx.chat?.type !== 'private';
  const answering = inGroup ? ctx.message?.message_id : undefined;
  let last: Message.TextMessage | undefined;
  for (const [index, part] of parts.entries()) {
    last = await ctx.reply(part, {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...(index === parts.length - 1 && keyboard ? { reply_markup: keyboard } : {}),
      ...(index === 0 && answering !== undefined ? { reply_parameters: { message_id: answering, allow_sending_without_reply: true } } : {}),
    });
  }
  return last;
}

/** True for Telegram's "message is not modified" (an edit to what is already shown). */
export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && error.description.includes('message is not modified');
}

/**
 * Edits the message a pressed button is on. Text too long for one message keeps its last part
 * (a very long list's buttons live on its last part); an edit that changes nothing is fine.
 */
export async function editButtonMessage(ctx: LarderContext, html: string, keyboard?: InlineKeyboardMarkup): Promise<void> {
  const parts = splitHtml(html, MESSAGE_LIMIT);
  const text = parts[parts.length - 1] ?? html;
  try {
    await ctx.editMessageText(text, { parse_mode: 'HTML', link_preview_options: { is_disabled: true }, ...(keyboard ? { reply_markup: keyboard } : {}) });
  } catch (error) {
    if (!isNotModified(error)) throw error;
  }
}

const answered = new WeakSet<object>();

/** Answers the button press once (Telegram shows a spinner until it is answered). */
export async function answerButton(ctx: LarderContext, text?: string, alert = false): Promise<void> {
  if (!ctx.callbackQuery || answered.has(ctx.callbackQuery)) return;
  answered.add(ctx.callbackQuery);
  await ctx.answerCallbackQuery({ ...(text ? { text: text.length > 190 ? `${text.slice(0, 189)}…` : text } : {}), ...(alert ? { show_alert: true } : {}) });
}

/** Whether this press was already answered (the error boundary answers the rest). */
export function wasAnswered(ctx: LarderContext): boolean {
  return ctx.callbackQuery ? answered.has(ctx.callbackQuery) : true;
}

/** What an undo reversed, in the order it was done: "ticked off eggs; stocked eggs". */
export function undoneLine(result: UndoResult): string {
  return summarize([...result.undone].reverse().map((event) => event.summary));
}
