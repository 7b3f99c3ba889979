import { Composer } from 'grammy';
import type { InlineKeyboardButton } from 'grammy/types';
import { renderExpiring, renderPantry } from '../../core/assistant/render.ts';
import { decodeAction } from '../buttons.ts';
import type { LarderContext } from '../context.ts';
import { answerButton, sendReply, say } from '../reply.ts';

/** How far ahead /expiring and the digest look. */
export const EXPIRING_DAYS = 3;

/** The pantry: /pantry, /out, /low, /expiring, and the restock offer's button. */
export function pantryFeature(): Composer<LarderContext> {
  const composer = new Composer<LarderContext>();

  composer.command('pantry', async (ctx) => {
    await sendReply(ctx, say(renderPantry(await ctx.core.pantry.list(ctx.request()))));
  });

  composer.command('out', async (ctx) => {
    const items = ctx.match.trim();
    if (items === '') {
      await sendReply(ctx, say('What has run out? For example: /out rice'));
      return;
    }
    await sendReply(ctx, await ctx.assistant.handle(ctx.request(), `we're out of ${items}`));
  });

  composer.command('low', async (ctx) => {
    const items = ctx.match.trim();
    if (items === '') {
      await sendReply(ctx, say('What is running low? For example: /low olive oil'));
      return;
    }
    await sendReply(ctx, await ctx.assistant.handle(ctx.request(), `running low on ${items}`));
  });

  composer.command('expiring', async (ctx) => {
    const entries = await ctx.core.pantry.expiring(ctx.request(), { days: EXPIRING_DAYS });
    await sendReply(ctx, say(renderExpiring(entries, EXPIRING_DAYS)));
  });

  // "Add to the Costco list?" under "we're out of rice".
  composer.callbackQuery(/^r:/, async (ctx) => {
    const action = decodeAction(ctx.callbackQuery.data);
    if (action?.kind !== 'restock') return answerButton(ctx, 'That button is out of date.');
    const reply = await ctx.assistant.runAction(ctx.request(), { kind: 'restock', pantryIds: action.pantryIds });
    // The offer is used: keep the message's other buttons (its Undo), drop this one.
    const message = ctx.callbackQuery.message;
    const rows: InlineKeyboardButton[][] = (message && 'reply_markup' in message ? (message.reply_markup?.inline_keyboard ?? []) : [])
      .map((row) => row.filter((entry) => !('callback_data' in entry) || entry.callback_data !== ctx.callbackQuery.data))
      .filter((row) => row.length > 0);
    await ctx.editMessageReplyMarkup(rows.length > 0 ? { reply_markup: { inline_keyboard: rows } } : {});
    await answerButton(ctx);
    await sendReply(ctx, reply);
  });

  return composer;
}
