import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newRequest } from '../../src/core/context.ts';
import { testDatabaseKind } from '../support/core.ts';
import { buttonData, buttonsOf, nextEdit, nextMessage, startBotHarness, type BotHarness } from './harness.ts';

const LASAGNA = `Lasagna
Serves 6

Ingredients
500 g minced beef
12 lasagna sheets
400 g chopped tomatoes
200 g mozzarella

Method
1. Brown the beef.
2. Layer with sheets and tomatoes, top with mozzarella.
3. Bake for 40 minutes.`;

describe(`pantry and recipe commands (${testDatabaseKind})`, () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('/out offers to restock; the button adds it and keeps the Undo of the pantry change', async () => {
    const { fake } = h;
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    fake.sendText(dm, ada, '/out rice');
    const out = await nextMessage(fake, dm);
    expect(out.plain).toContain('Marked rice as out');
    expect(buttonsOf(out).map(([text]) => text)).toEqual(['🛒 Add to the list', '↩️ Undo']);
    fake.pressButton(dm, ada, out.message_id, buttonData(out, 'Add to'));
    const added = await nextMessage(fake, dm);
    expect(added.plain).toContain('rice');
    expect(buttonsOf(added).map(([text]) => text)).toEqual(['↩️ Undo']);
    expect(buttonsOf(out).map(([text]) => text)).toEqual(['↩️ Undo']);

    fake.sendText(dm, ada, '/low olive oil');
    expect((await nextMessage(fake, dm)).plain).toContain('running low');
    fake.sendText(dm, ada, '/pantry');
    const pantry = await nextMessage(fake, dm);
    expect(pantry.plain).toContain('rice');
    expect(pantry.plain).toContain('olive oil');
    fake.sendText(dm, ada, '/expiring');
    expect((await nextMessage(fake, dm)).plain).toContain('Nothing in the pantry expires');

    // Too many to fit in a button's 64 bytes: the offer becomes a preview to confirm.
    const many = ['rice', 'pasta', 'spaghetti', 'penne', 'fusilli', 'rigatoni', 'linguine', 'fettuccine', 'tagliatelle', 'pappardelle', 'farfalle', 'conchiglie', 'macaroni', 'orzo', 'orecchiette', 'cannelloni', 'tortellini', 'ravioli', 'gnocchi', 'bucatini', 'ziti', 'rotini', 'noodles', 'udon', 'soba', 'ramen', 'vermicelli', 'couscous', 'bulgur', 'quinoa', 'barley', 'farro', 'freekeh', 'millet', 'buckwheat', 'polenta', 'cornmeal', 'semolina', 'grits', 'oats'];
    fake.sendText(dm, ada, `/out ${many.join(', ')}`);
    const bulk = await nextMessage(fake, dm);
    expect(buttonsOf(bulk).map(([text]) => text)).toEqual(['✅ Confirm', '✖️ Cancel', '↩️ Undo']);
    fake.pressButton(dm, ada, bulk.message_id, buttonData(bulk, 'Confirm'));
    await nextEdit(fake, dm);
    expect(bulk.plain).toContain('Done');
    const household = await h.t.core.households.findBySlug(`tg-user-${ada.id}`);
    const listed = await h.t.core.lists.get(newRequest(household?.id ?? 0, { door: 'cli', name: 'test' }));
    expect(listed.items.map((item) => item.name)).toEqual(expect.arrayContaining(many));

    fake.sendText(dm, ada, '/undo');
    expect((await nextMessage(fake, dm)).plain).toContain('Undid:');
    fake.sendText(dm, ada, '/add');
    expect((await nextMessage(fake, dm)).plain).toContain('What should I add?');
  });

  it('a pasted recipe is previewed and saved; /recipes, /recipe, /missing and /cook work on it', async () => {
    const { fake, t } = h;
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    fake.sendText(dm, ada, LASAGNA);
    const preview = await nextMessage(fake, dm);
    expect(preview.plain).toContain('Lasagna');
    fake.pressButton(dm, ada, preview.message_id, buttonData(preview, 'Confirm'));
    await nextEdit(fake, dm);
    expect(preview.plain).toContain('Done');

    const household = await t.core.households.findBySlug(`tg-user-${ada.id}`);
    const ctx = newRequest(household?.id ?? 0, { door: 'cli', name: 'test' });
    await t.core.pantry.update(ctx, { items: [{ name: 'beef', quantity: '1 kg' }, { name: 'tomatoes', quantity: '800 g' }] });

    fake.sendText(dm, ada, '/recipes');
    expect((await nextMessage(fake, dm)).plain).toContain('Lasagna — serves 6');
    fake.sendText(dm, ada, '/recipe lasagna');
    const recipe = await nextMessage(fake, dm);
    expect(recipe.plain).toContain('500 g beef, minced');
    expect(recipe.plain).toContain('Missing: lasagna sheets and mozzarella');

    fake.sendText(dm, ada, '/missing lasagna 12');
    const missing = await nextMessage(fake, dm);
    expect(missing.plain).toContain('For Lasagna for 12');
    expect(missing.plain).toContain('mozzarella');
    expect(buttonsOf(missing).map(([text]) => text)).toEqual(['↩️ Undo']);

    fake.sendText(dm, ada, '/cook lasagna');
    const cooked = await nextMessage(fake, dm);
    expect(cooked.plain).toContain('Cooked Lasagna');
    expect(cooked.plain).toContain('beef (1 kg) → 0.5 kg');

    fake.sendText(dm, ada, '/recipe pavlova');
    expect((await nextMessage(fake, dm)).plain).toContain('⚠️');
  });
});
