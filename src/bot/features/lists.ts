import { Composer } from 'grammy';
import { escapeHtml, plural, renderList } from '../../core/assistant/render.ts';
import { isLarderError } from '../../core/errors.ts';
import type { ItemView } from '../../core/services/views.ts';
import { decodeAction, listKeyboard, undoKeyboard } from '../buttons.ts';
import type { LarderContext } from '../context.ts';
import { answerButton, editButtonMessage, sendReply, say, undoneLine } from '../reply.ts';

/** Lists: /list, /lists, /add, /remove, and the ✓ buttons that tick items off in place. */
export function listsFeature(): Composer<LarderContext> {
  const composer = new Composer<LarderContext>();

  composer.command('list', async (ctx) => {
    const name = ctx.match.trim();
    const shown = await ctx.core.lists.get(ctx.request(), { list: name === '' ? undefined : name });
    await sendReply(ctx, { understood: true, html: renderList(shown.list, shown.items), list: { listId: shown.list.id, items: shown.items } });
  });

  composer.command('lists', async (ctx) => {
    const lists = await ctx.core.lists.all(ctx.request());
    const lines = lists.map((list) => {
      const store = list.store && list.store !== list.name ? ` (${escapeHtml(list.store)})` : '';
      const left = list.kind === 'task' ? plural(list.open, 'task') + ' open' : list.open === 0 ? 'nothing to get' : `${list.open} to get`;
      return `• <b>${escapeHtml(list.name)}</b>${store}${list.isDefault ? ' — the default' : ''}: ${left}`;
    });
    await sendReply(ctx, say(['🗒 <b>Lists</b>', ...lines, '', 'Show one with /list NAME.'].join('\n')));
  });

  composer.command('add', async (ctx) => {
    const items = ctx.match.trim();
    if (items === '') {
      await sendReply(ctx, say('What should I add? For example: /add 2 l milk, eggs and bread — or /add rice to costco.'));
      return;
    }
    await sendReply(ctx, await ctx.assistant.handle(ctx.request(), `add ${items}`));
  });

  composer.command('remove', async (ctx) => {
    const items = ctx.match.trim();
    if (items === '') {
      await sendReply(ctx, say('What should I take off the list? For example: /remove eggs'));
      return;
    }
    await sendReply(ctx, await ctx.assistant.handle(ctx.request(), `remove ${items}`));
  });

  // ✓ on a list: tick the item, re-render the list in the same message, offer an Undo for this tick.
  composer.callbackQuery(/^t:/, async (ctx) => {
    const action = decodeAction(ctx.callbackQuery.data);
    if (action?.kind !== 'tick') return answerButton(ctx, 'That button is out of date; send /list for a fresh one.');
    const request = ctx.request();
    let ticked: ItemView | undefined;
    let note: string;
    try {
      const result = await ctx.core.lists.checkById(request, { itemId: action.itemId, checked: true });
      ticked = result.items[0];
      note = ticked ? `✓ ${ticked.name}${result.stocked.length > 0 ? ' — in the pantry now' : ''}` : 'Already ticked off.';
    } catch (error) {
      if (!isLarderError(error, 'not_found')) throw error;
      note = 'That item is no longer on the list.';
    }
    const shown = await ctx.core.lists.get(request, { list: action.listId });
    const lastTick = ticked ? { requestId: request.requestId, name: ticked.name } : undefined;
    await editButtonMessage(ctx, renderList(shown.list, shown.items), { inline_keyboard: listKeyboard(shown.list.id, shown.items, lastTick) });
    await answerButton(ctx, note);
  });

  // Undo under a list: reverse that tick (and what it put in the pantry), re-render the list.
  composer.callbackQuery(/^lu:/, async (ctx) => {
    const action = decodeAction(ctx.callbackQuery.data);
    if (action?.kind !== 'untick') return answerButton(ctx, 'That button is out of date; send /list for a fresh one.');
    const request = ctx.request();
    const undone = await ctx.core.journal.undo(request, { requestId: action.requestId });
    const shown = await ctx.core.lists.get(request, { list: action.listId });
    const html = `${renderList(shown.list, shown.items)}\n\n↩️ ${escapeHtml(ctx.member.displayName)} undid: ${escapeHtml(undoneLine(undone))}`;
    await editButtonMessage(ctx, html, { inline_keyboard: listKeyboard(shown.list.id, shown.items) });
    await answerButton(ctx, `↩️ Undid: ${undoneLine(undone)}`);
  });

  // ✓ Done under a reminder.
  composer.callbackQuery(/^d:/, async (ctx) => {
    const action = decodeAction(ctx.callbackQuery.data);
    if (action?.kind !== 'done') return answerButton(ctx, 'That button is out of date.');
    const request = ctx.request();
    const result = await ctx.core.lists.checkById(request, { itemId: action.itemId, checked: true });
    const task = result.items[0];
    if (!task) return answerButton(ctx, 'Already done.');
    await editButtonMessage(ctx, `✓ <s>${escapeHtml(task.name)}</s> — done (${escapeHtml(ctx.member.displayName)})`, undoKeyboard(request.requestId));
    await answerButton(ctx, `✓ ${task.name}`);
  });

  return composer;
}
