import { Composer } from 'grammy';
import { htmlToPlain } from '../../core/assistant/render.ts';
import { decodeAction, replyKeyboard } from '../buttons.ts';
import type { LarderContext } from '../context.ts';
import { answerButton, editButtonMessage } from '../reply.ts';

/** Confirm and Cancel under a preview (voice notes, receipts, what the LLM wants to change): the preview message becomes the outcome. */
export function previewsFeature(): Composer<LarderContext> {
  const composer = new Composer<LarderContext>();

  composer.callbackQuery(/^[cx]:/, async (ctx) => {
    const action = decodeAction(ctx.callbackQuery.data);
    if (action?.kind !== 'confirm' && action?.kind !== 'cancel') return answerButton(ctx, 'That button is out of date.');
    const request = ctx.request();
    const reply = action.kind === 'confirm' ? await ctx.assistant.confirm(request, action.previewId) : await ctx.assistant.cancel(request, action.previewId);
    if (reply.html.startsWith('⚠️') && !reply.undoRequestId) {
      // Already settled, expired, or nothing applied: say so to the presser and leave the message as it is.
      await answerButton(ctx, htmlToPlain(reply.html), true);
      return;
    }
    await editButtonMessage(ctx, reply.html, replyKeyboard(reply));
    await answerButton(ctx, action.kind === 'confirm' ? 'Done' : 'Cancelled');
  });

  return composer;
}
