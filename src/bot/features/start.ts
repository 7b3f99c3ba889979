import { Composer } from 'grammy';
import { groupGreetingHtml, helpHtml, startHtml } from '../commands.ts';
import type { LarderContext } from '../context.ts';
import { sendReply, say } from '../reply.ts';
import type { TelegramStore } from '../store.ts';
import { JOIN_PAYLOAD, joinWithCode } from './household.ts';

/** /start, /help, and the greeting when Larder is added to a group. */
export function startFeature(store: TelegramStore): Composer<LarderContext> {
  const composer = new Composer<LarderContext>();

  composer.command('start', async (ctx) => {
    const invite = JOIN_PAYLOAD.exec(ctx.match.trim());
    if (invite?.[1] && ctx.chat.type === 'private') {
      await joinWithCode(ctx, store, invite[1]);
      return;
    }
    const html = ctx.chat.type === 'private' ? startHtml({ username: ctx.me.username, firstName: ctx.from?.first_name ?? 'there' }) : groupGreetingHtml(ctx.me.username);
    await sendReply(ctx, say(html));
  });

  composer.command('help', async (ctx) => {
    await sendReply(ctx, say(helpHtml({ group: ctx.chat.type !== 'private', username: ctx.me.username })));
  });

  // Added to a group (the gate lets only that change through): two lines on how to talk to Larder.
  composer.on('my_chat_member', async (ctx) => {
    await ctx.reply(groupGreetingHtml(ctx.me.username), { parse_mode: 'HTML' });
  });

  return composer;
}
