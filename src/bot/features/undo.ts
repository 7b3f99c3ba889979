import { Composer } from 'grammy';
import { escapeHtml } from '../../core/assistant/render.ts';
import { decodeAction } from '../buttons.ts';
import type { LarderContext } from '../context.ts';
import { MESSAGE_LIMIT } from '../split.ts';
import { answerButton, sendReply, say, undoneLine } from '../reply.ts';

/** Undo: /undo (the household's last change) and the ↩️ Undo button (exactly that change, no confirm step). */
export function undoFeature(): Composer<LarderContext> {
  const composer = new Composer<LarderContext>();

  composer.command('undo', async (ctx) => {
    const result = await ctx.core.journal.undo(ctx.request());
    await sendReply(ctx, say(`↩️ Undid: ${escapeHtml(undoneLine(result))}.`));
  });

  composer.callbackQuery(/^u:/, async (ctx) => {
    const action = decodeAction(ctx.callbackQuery.data);
    if (action?.kind !== 'undo') return answerButton(ctx, 'That button is out of date.');
    // Any member may press it; the request must belong to this chat's household (the journal checks).
    const result = await ctx.core.journal.undo(ctx.request(), { requestId: action.requestId });
    const note = `↩️ ${ctx.member.displayName} undid this: ${undoneLine(result)}`;
    const message = ctx.callbackQuery.message;
    const text = message && 'text' in message ? message.text : undefined;
    if (message && text !== undefined && text.length + note.length + 2 <= MESSAGE_LIMIT) {
      // The message as shown (its entities kept), the Undo gone, what was undone underneath.
      await ctx.editMessageText(`${text}\n\n${note}`, { entities: 'entities' in message ? (message.entities ?? []) : [], link_preview_options: { is_disabled: true } });
    } else {
      await ctx.editMessageReplyMarkup({});
      await sendReply(ctx, say(escapeHtml(note)));
    }
    await answerButton(ctx, `↩️ Undid: ${undoneLine(result)}`);
  });

  return composer;
}
