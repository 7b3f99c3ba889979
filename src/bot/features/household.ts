import { Composer } from 'grammy';
import { escapeHtml } from '../../core/assistant/render.ts';
import type { LarderContext } from '../context.ts';
import { displayName } from '../middleware.ts';
import { normalizeJoinCode, type TelegramStore } from '../store.ts';
import { sendHtml, sendReply, say } from '../reply.ts';

/** The /start payload of an invite link: `join-K7QX2M9P`. */
export const JOIN_PAYLOAD = /^join-([A-Za-z0-9]{4,16})$/;

/** Moves the sender's private chat to the household a code belongs to. */
export async function joinWithCode(ctx: LarderContext, store: TelegramStore, code: string): Promise<void> {
  if (ctx.chat?.type !== 'private' || !ctx.from) {
    await sendReply(ctx, say('Send /join with the code to me in a private chat: a group’s lists already belong to the group.'));
    return;
  }
  const householdId = await store.redeemJoinCode(code);
  if (householdId === null) {
    await sendReply(ctx, say(`“${escapeHtml(normalizeJoinCode(code))}” is not a valid code, or it expired (codes last 24 hours). Ask for a new one with /invite in the group.`));
    return;
  }
  const household = await ctx.core.households.get(householdId);
  if (householdId === ctx.household.id) {
    await sendReply(ctx, say(`You are already in <b>${escapeHtml(household.name)}</b>.`));
    return;
  }
  const name = displayName(ctx.from);
  await store.linkUser({ userId: ctx.from.id, displayName: name, householdId }, { move: true });
  await ctx.core.households.upsertMember(householdId, { telegramUserId: BigInt(ctx.from.id), displayName: name });
  await sendReply(
    ctx,
    say(`✅ You’re in <b>${escapeHtml(household.name)}</b> now: here you see and change its lists, pantry and recipes. Try /list.`),
  );
}

/** Households across chats: /invite shows a code, /join CODE uses it in a private chat. */
export function householdFeature(store: TelegramStore): Composer<LarderContext> {
  const composer = new Composer<LarderContext>();

  composer.command('invite', async (ctx) => {
    const { code } = await store.createJoinCode(ctx.household.id);
    const link = `https://t.me/${ctx.me.username}?start=join-${code}`;
    await sendHtml(
      ctx,
      [
        `🔑 To use <b>${escapeHtml(ctx.household.name)}</b> in a private chat with me, send me <code>/join ${code}</code>, or open the link below.`,
        'The code works for 24 hours, for anyone who has it.',
      ].join('\n'),
      { inline_keyboard: [[{ text: 'Open a private chat', url: link }]] },
    );
  });

  composer.command('join', async (ctx) => {
    const code = ctx.match.trim();
    if (code === '') {
      await sendReply(ctx, say('Send /join with the code that /invite shows in your group, for example: /join K7QX2M9P'));
      return;
    }
    await joinWithCode(ctx, store, code);
  });

  return composer;
}
