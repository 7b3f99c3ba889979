import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { isLarderError } from '../../src/core/errors.ts';
import * as schema from '../../src/core/db/schema.ts';
import type { RequestContext } from '../../src/core/context.ts';
import { again, householdState, testCore, type TestCore } from '../support/core.ts';

let t: TestCore;
beforeAll(async () => {
  t = await testCore();
});
afterAll(async () => {
  await t.close();
});

/** A household's rows, exactly as stored, to compare before and after an undo. */
async function householdRows(ctx: RequestContext) {
  const [rows, household] = await Promise.all([
    householdState(t.core.db, ctx.householdId, {
      lists: schema.lists,
      items: schema.items,
      pantry: schema.pantryItems,
      memory: schema.categoryMemory,
      categories: schema.categories,
    }),
    t.core.db.select().from(schema.households).where(eq(schema.households.id, ctx.householdId)),
  ]);
  return { ...rows, household };
}

describe('journal and undo', () => {
  it('writes one event per change, with who and through which door', async () => {
    const ctx = await t.household('history', { door: 'bot', name: 'Ada' });
    await t.core.lists.add(ctx, { items: [{ name: 'milk', quantity: '1 l' }, { name: 'eggs' }] });
    const history = await t.core.journal.history(ctx);
    expect(history.map((event) => [event.kind, event.summary, event.actor, event.door])).toEqual([
      ['item.add', 'added eggs to Shopping', 'Ada', 'bot'],
      ['item.add', 'added milk (1 l) to Shopping', 'Ada', 'bot'],
    ]);
    expect(new Set(history.map((event) => event.requestId))).toEqual(new Set([ctx.requestId]));
  });

  it('restores exactly the state before, for every kind of change', async () => {
    const ctx = await t.household('exact');
    await t.core.lists.create(ctx, { name: 'Costco', store: 'Costco' });
    await t.core.lists.add(again(ctx), { items: [{ name: 'milk', quantity: '1 l' }, { name: 'rice', quantity: '2 kg' }] });
    await t.core.pantry.update(again(ctx), { items: [{ name: 'rice', quantity: '1 kg', location: 'pantry', expiresOn: '2026-09-01' }] });

    const steps: Array<(c: RequestContext) => Promise<unknown>> = [
      (c) => t.core.lists.add(c, { items: [{ name: 'milk', quantity: '500 ml' }, { name: 'bread' }] }),
      (c) => t.core.lists.remove(c, { items: ['bread'] }),
      (c) => t.core.lists.check(c, { items: ['rice', 'milk'] }),
      (c) => t.core.lists.clearChecked(c),
      (c) => t.core.lists.setCategory(c, { name: 'rice', category: 'Other' }),
      (c) => t.core.pantry.update(c, { items: [{ name: 'rice', status: 'out' }, { name: 'flour', quantity: '1 kg' }] }),
      (c) => t.core.pantry.remove(c, { names: ['flour'] }),
      (c) => t.core.pantry.restock(c),
      (c) => t.core.lists.create(c, { name: 'Aldi' }),
      (c) => t.core.lists.addTask(c, { title: 'descale the kettle', due: new Date('2026-03-03T10:00:00Z') }),
      (c) => t.core.households.update(c, { timeZone: 'Europe/Stockholm', digestTime: '07:30' }),
      (c) => t.core.categories.create(c, 'Baby'),
    ];
    for (const step of steps) {
      const before = await householdRows(ctx);
      const c = again(ctx);
      await step(c);
      expect(await householdRows(ctx)).not.toEqual(before);
      const undone = await t.core.journal.undo(again(ctx));
      expect(undone.requestId).toBe(c.requestId);
      expect(await householdRows(ctx)).toEqual(before);
      // Redo the step so the next one starts from a changed state.
      await step(again(ctx));
    }
  });

  it('undoes requests one after another, newest first, and says when nothing is left', async () => {
    const ctx = await t.household('stack');
    const first = again(ctx);
    const second = again(ctx);
    await t.core.lists.add(first, { items: [{ name: 'milk' }] });
    await t.core.lists.add(second, { items: [{ name: 'eggs' }] });
    expect((await t.core.journal.undo(again(ctx))).requestId).toBe(second.requestId);
    expect((await t.core.journal.undo(again(ctx))).requestId).toBe(first.requestId);
    const nothing = await t.core.journal.undo(again(ctx)).catch((error: unknown) => error);
    expect(isLarderError(nothing, 'not_found:event')).toBe(true);
    expect((await t.core.lists.get(ctx)).items).toEqual([]);
  });

  it('undoes one event by id and refuses one that later changes built on', async () => {
    const ctx = await t.household('by-id');
    await t.core.lists.add(ctx, { items: [{ name: 'milk', quantity: '1 l' }, { name: 'eggs', quantity: '6' }] });
    const [eggs] = await t.core.journal.history(ctx, { limit: 1 });
    expect(eggs?.summary).toBe('added eggs (6) to Shopping');
    await t.core.journal.undo(again(ctx), { eventId: eggs?.id ?? -1 });
    expect((await t.core.lists.get(ctx)).items.map((item) => item.name)).toEqual(['milk']);
    const again1 = await t.core.journal.undo(again(ctx), { eventId: eggs?.id ?? -1 }).catch((error: unknown) => error);
    expect(isLarderError(again1, 'conflict:undo')).toBe(true);

    // The first add of milk cannot be undone on its own once a second add merged into it.
    await t.core.lists.add(again(ctx), { items: [{ name: 'milk', quantity: '1 l' }] });
    const firstMilk = (await t.core.journal.history(ctx)).find((event) => event.summary === 'added milk (1 l) to Shopping');
    const before = await householdRows(ctx);
    const refused = await t.core.journal.undo(again(ctx), { requestId: firstMilk?.requestId ?? '' }).catch((error: unknown) => error);
    expect(isLarderError(refused, 'conflict:undo')).toBe(true);
    expect(await householdRows(ctx)).toEqual(before);
  });

  it('keeps households apart: nothing seen, changed or undone across them', async () => {
    const a = await t.household('house-a');
    const b = await t.household('house-b');
    await t.core.lists.add(a, { items: [{ name: 'caviar' }] });
    await t.core.lists.add(b, { items: [{ name: 'porridge' }] });
    expect((await t.core.lists.get(b)).items.map((item) => item.name)).toEqual(['porridge']);
    const aItem = (await t.core.lists.get(a)).items[0];
    const crossTick = await t.core.lists.checkById(again(b), { itemId: aItem?.id ?? -1, checked: true }).catch((error: unknown) => error);
    expect(isLarderError(crossTick, 'not_found:item')).toBe(true);
    const aList = (await t.core.lists.get(a)).list;
    const crossList = await t.core.lists.add(again(b), { list: aList.id, items: [{ name: 'x' }] }).catch((error: unknown) => error);
    expect(isLarderError(crossList, 'not_found:list')).toBe(true);
    const aEvent = (await t.core.journal.history(a))[0];
    const crossUndo = await t.core.journal.undo(again(b), { eventId: aEvent?.id ?? -1 }).catch((error: unknown) => error);
    expect(isLarderError(crossUndo, 'not_found:event')).toBe(true);
    const crossRequest = await t.core.journal.undo(again(b), { requestId: a.requestId }).catch((error: unknown) => error);
    expect(isLarderError(crossRequest, 'not_found:event')).toBe(true);
    // B's own undo touches only B.
    await t.core.journal.undo(again(b));
    expect((await t.core.lists.get(b)).items).toEqual([]);
    expect((await t.core.lists.get(a)).items.map((item) => item.name)).toEqual(['caviar']);
    expect((await t.core.journal.history(b)).every((event) => event.summary !== 'added caviar to Shopping')).toBe(true);
    expect((await t.core.pantry.list(b))).toEqual([]);
  });
});

describe('racing undos', () => {
  it('reverses a request once when two undos of it race', async () => {
    const ctx = await t.household('race-undo');
    const request = again(ctx);
    await t.core.lists.add(request, { items: [{ name: 'milk' }, { name: 'eggs' }] });
    const results = await Promise.allSettled([
      t.core.journal.undo(again(ctx), { requestId: request.requestId }),
      t.core.journal.undo(again(ctx), { requestId: request.requestId }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected');
    expect(isLarderError(rejected?.reason, 'conflict:undo')).toBe(true);
    const undoEvents = (await t.core.journal.history(ctx)).filter((event) => event.kind === 'undo');
    expect(undoEvents).toHaveLength(2);
    expect((await t.core.lists.get(ctx)).items).toEqual([]);
  });
});

describe('bookkeeping columns', () => {
  it('undoes a task after its reminder went out, and settings after a digest went out', async () => {
    const ctx = await t.household('bookkeeping');
    const task = again(ctx);
    const { item } = await t.core.lists.addTask(task, { title: 'take the fish out', due: new Date('2026-03-02T17:00:00Z') });
    const settings = again(ctx);
    await t.core.households.update(settings, { digestTime: '07:30' });
    // What the scheduler does, outside the journal.
    await t.core.db.update(schema.items).set({ remindedAt: new Date('2026-03-02T17:00:00Z') }).where(eq(schema.items.id, item.id));
    await t.core.db.update(schema.households).set({ digestSentOn: '2026-03-02' }).where(eq(schema.households.id, ctx.householdId));
    await t.core.journal.undo(again(ctx), { requestId: settings.requestId });
    const [household] = await t.core.db.select().from(schema.households).where(eq(schema.households.id, ctx.householdId));
    expect(household).toMatchObject({ digestTime: '08:00', digestSentOn: '2026-03-02' });
    await t.core.journal.undo(again(ctx), { requestId: task.requestId });
    expect((await t.core.db.select().from(schema.items).where(eq(schema.items.id, item.id)))).toEqual([]);
  });
});
