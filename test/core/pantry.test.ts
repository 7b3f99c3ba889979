import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLarderError } from '../../src/core/errors.ts';
import { again, testCore, type TestCore } from '../support/core.ts';

let t: TestCore;
beforeAll(async () => {
  t = await testCore();
});
afterAll(async () => {
  await t.close();
});

describe('pantry', () => {
  it('adds and updates entries by name, with amounts, statuses, locations and dates', async () => {
    const ctx = await t.household('pantry-basic');
    const added = await t.core.pantry.update(ctx, {
      items: [
        { name: 'Rice', quantity: '2 kg', location: 'Pantry' },
        { name: 'yoghurt', quantity: '500 g', location: 'fridge', expiresOn: '2026-03-04', openedOn: '2026-03-01' },
        { name: 'olive oil', status: 'low' },
      ],
    });
    expect(added.items.map((entry) => [entry.item.name, entry.item.quantity, entry.item.status, entry.item.location, entry.item.category, entry.action])).toEqual([
      ['Rice', '2 kg', 'have', 'pantry', 'Pantry', 'added'],
      ['yoghurt', '500 g', 'have', 'fridge', 'Dairy & Eggs', 'added'],
      ['olive oil', null, 'low', null, 'Pantry', 'added'],
    ]);
    const out = await t.core.pantry.update(again(ctx), { items: [{ name: 'rice', status: 'out' }] });
    expect(out.items[0]).toMatchObject({ action: 'updated', item: { name: 'Rice', status: 'out', amount: null, location: 'pantry' } });
    expect((await t.core.pantry.list(ctx, { status: 'low' })).map((entry) => entry.name)).toEqual(['olive oil']);
    expect((await t.core.pantry.list(ctx, { location: 'Fridge' })).map((entry) => entry.name)).toEqual(['yoghurt']);
  });

  it('rejects bad pantry input and changes nothing', async () => {
    const ctx = await t.household('pantry-bad');
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => t.core.pantry.update(ctx, { items: [{ name: 'milk', expiresOn: '2026-02-30' }] }), 'invalid:date'],
      [() => t.core.pantry.update(ctx, { items: [{ name: 'milk', expiresOn: 'tomorrow' }] }), 'invalid:date'],
      [() => t.core.pantry.update(ctx, { items: [{ name: 'milk', quantity: '-1 l' }] }), 'invalid:quantity'],
      [() => t.core.pantry.update(ctx, { items: [{ name: 'milk', status: 'gone' as 'out' }] }), 'invalid:status'],
      [() => t.core.pantry.update(ctx, { items: [{ name: '' }] }), 'invalid:name'],
      [() => t.core.pantry.remove(ctx, { names: ['unicorn'] }), 'not_found:pantry_item'],
      [() => t.core.pantry.expiring(ctx, { days: -1 }), 'invalid:days'],
    ];
    for (const [attempt, code] of cases) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(isLarderError(error, code), `${code}: ${String(error)}`).toBe(true);
    }
    expect(await t.core.pantry.list(ctx)).toEqual([]);
    expect(await t.core.journal.history(ctx)).toEqual([]);
  });

  it("lists what expires within N days of the household's today, soonest first", async () => {
    const ctx = await t.household('pantry-expiring');
    // 2026-03-02T23:30Z is already 3 March in Stockholm.
    t.clock.set('2026-03-02T23:30:00Z');
    await t.core.households.update(ctx, { timeZone: 'Europe/Stockholm' });
    await t.core.pantry.update(again(ctx), {
      items: [
        { name: 'spinach', expiresOn: '2026-03-04' },
        { name: 'yoghurt', expiresOn: '2026-03-06' },
        { name: 'ham', expiresOn: '2026-03-02' },
        { name: 'cheese', expiresOn: '2026-03-07' },
        { name: 'rice' },
      ],
    });
    const soon = await t.core.pantry.expiring(ctx, { days: 3 });
    expect(soon.map((entry) => [entry.name, entry.daysLeft])).toEqual([
      ['ham', -1],
      ['spinach', 1],
      ['yoghurt', 3],
    ]);
    t.clock.set('2026-03-02T09:00:00Z');
  });

  it('restocks low and out entries onto the list of their preferred store', async () => {
    const ctx = await t.household('pantry-restock');
    await t.core.lists.create(ctx, { name: 'Costco', store: 'Costco' });
    await t.core.pantry.update(again(ctx), {
      items: [
        { name: 'rice', status: 'out', preferredStore: 'Costco' },
        { name: 'dish soap', status: 'low' },
        { name: 'pasta', status: 'have' },
        { name: 'tea', status: 'low', preferredStore: 'Corner shop' },
      ],
    });
    const restock = again(ctx);
    const result = await t.core.pantry.restock(restock);
    expect(result.lists.map((entry) => [entry.list.name, entry.items.map((added) => added.item.name).sort()])).toEqual([
      ['Costco', ['rice']],
      ['Shopping', ['dish soap', 'tea']],
    ]);
    // One request: one undo takes all of it back.
    await t.core.journal.undo(again(ctx), { requestId: restock.requestId });
    expect((await t.core.lists.get(ctx)).items).toEqual([]);
    expect((await t.core.lists.get(ctx, { list: 'costco' })).items).toEqual([]);
  });
});
