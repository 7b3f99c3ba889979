import { Composer } from 'grammy';
import { escapeHtml } from '../../core/assistant/render.ts';
import { commandOf, stripMention } from '../addressing.ts';
import type { LarderContext } from '../context.ts';
import { answerButton, sendReply, say } from '../reply.ts';

/** Plain language: every private message, and group messages addressed to Larder (the gate decided), go to the assistant. */
export function talkFeature(): Composer<LarderContext> {
  const composer = new Composer<LarderContext>();

  composer.on('message:text', async (ctx, next) => {
    if (commandOf(ctx.message)) return next();
    const text = stripMention(ctx.message.text, ctx.message.entities, { id: ctx.me.id, username: ctx.me.username });
    if (text === '') {
      await sendReply(ctx, say('Yes? Tell me what to add (“add milk and eggs”), or send /help.'));
      return;
    }
    // The household was read for this update already (larderContext): the assistant does not read it again.
    await sendReply(ctx, await ctx.assistant.handle(ctx.request(), text, { household: ctx.household }));
  });

  return composer;
}

/** Last: whatever no feature took. Addressed messages always get an answer that says what works. */
export function fallbackFeature(): Composer<LarderContext> {
  const composer = new Composer<LarderContext>();

  composer.on('callback_query', async (ctx) => {
    await answerButton(ctx, 'That button is out of date; send /list or /help for fresh ones.');
  });

  composer.on('message', async (ctx) => {
    const command = commandOf(ctx.message);
    const html = command
      ? `I don’t know /${escapeHtml(command.name)}. /help lists what I can do.`
      : 'I read text messages, voice notes and receipt photos. /help shows what I can do.';
    await sendReply(ctx, say(html));
  });

  return composer;
}
