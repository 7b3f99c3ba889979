import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { startHttpServer, type RunningHttpServer } from '../../src/mcp/http.ts';
import { TOOLS } from '../../src/core/tools/index.ts';
import { testCore, type TestCore } from '../support/core.ts';

let t: TestCore;
let server: RunningHttpServer;
let familyToken: string;
let cousinsToken: string;
const clients: Client[] = [];

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'larder-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return result;
}

async function ok(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const result = await call(client, name, args);
  const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
  expect(result.isError, `${name} failed: ${text}`).toBeFalsy();
  expect(result.structuredContent).toBeDefined();
  return result.structuredContent ?? {};
}

async function fails(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = await call(client, name, args);
  expect(result.isError, `${name} should have failed`).toBe(true);
  const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
  expect(text).not.toMatch(/\n\s+at /); // never a stack trace
  return text;
}

beforeAll(async () => {
  t = await testCore();
  server = await startHttpServer({ core: t.core, log: silentLogger(), port: 0, host: '127.0.0.1' });
  familyToken = (await t.core.tokens.create((await t.core.households.ensure('family')).id)).token;
  cousinsToken = (await t.core.tokens.create((await t.core.households.ensure('cousins')).id)).token;
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await server.close();
  await t.close();
});

describe('MCP over Streamable HTTP', () => {
  it('lists every tool with a title, a description, schemas and all four annotations', async () => {
    const client = await connect(familyToken);
    const { tools } = await client.listTools();
    const pinned = Object.fromEntries(
      tools.map((tool) => [
        tool.name,
        [tool.annotations?.readOnlyHint, tool.annotations?.destructiveHint, tool.annotations?.idempotentHint, tool.annotations?.openWorldHint]
          .map((hint) => (hint ? 1 : 0))
          .join(''),
      ]),
    );
    // readOnly, destructive, idempotent, openWorld
    expect(pinned).toEqual({
      get_household: '1010',
      update_household: '0010',
      list_lists: '1010',
      create_list: '0000',
      get_list: '1010',
      add_items: '0000',
      remove_items: '0100',
      check_items: '0010',
      clear_checked: '0100',
      set_item_category: '0010',
      add_task: '0000',
      get_pantry: '1010',
      update_pantry: '0110',
      stock_pantry: '0000',
      remove_pantry_items: '0100',
      get_expiring: '1010',
      restock: '0000',
      search_recipes: '1010',
      get_recipe: '1010',
      save_recipe: '0100',
      delete_recipe: '0100',
      import_recipe: '0000',
      recipe_fulfillment: '1010',
      add_recipe_to_list: '0000',
      cook_recipe: '0100',
      what_can_i_cook: '1010',
      use_it_up: '1010',
      set_ingredient_match: '0010',
      get_history: '1010',
      undo: '0100',
    });
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.description?.length, tool.name).toBeGreaterThan(40);
      expect(tool.outputSchema, tool.name).toBeDefined();
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
        expect(typeof tool.annotations?.[hint], `${tool.name}.${hint}`).toBe('boolean');
      }
      // Every input field says what it is for.
      const properties = (tool.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
      for (const [field, schema] of Object.entries(properties)) expect(schema.description, `${tool.name}.${field}`).toBeTruthy();
    }
    expect(tools).toHaveLength(TOOLS.length);
  });

  it('runs the whole household through the tools, every tool at least once', async () => {
    const client = await connect(familyToken);
    const used = new Set<string>();
    const run = async (name: string, args: Record<string, unknown> = {}) => {
      used.add(name);
      return ok(client, name, args);
    };

    expect(await run('get_list')).toMatchObject({ list: { name: 'Shopping', isDefault: true }, items: [] });
    expect(await run('get_household')).toMatchObject({ household: { slug: 'family', timeZone: 'UTC' } });
    await run('update_household', { time_zone: 'Europe/Stockholm', digest_time: '08:00' });
    await run('create_list', { name: 'Costco', store: 'Costco' });
    expect(await run('list_lists')).toMatchObject({ lists: [{ name: 'Shopping' }, { name: 'Costco', store: 'Costco' }] });
    const preview = await run('add_items', { items: [{ name: 'milk', quantity: '1 l' }, { name: 'eggs', quantity: 'a dozen' }], dry_run: true });
    expect(preview).toMatchObject({ dryRun: true });
    expect((await run('get_list')).items).toEqual([]);
    await run('add_items', { items: [{ name: 'milk', quantity: '1 l' }, { name: 'eggs', quantity: 'a dozen' }, { name: 'bread' }] });
    const merged = await run('add_items', { items: [{ name: 'Milk', quantity: '500 ml' }] });
    expect(merged).toMatchObject({ items: [{ action: 'merged', item: { quantity: '1.5 l' } }] });
    await run('add_items', { list: 'costco', items: [{ name: 'rice', quantity: '5 kg' }] });
    await run('set_item_category', { name: 'bread', category: 'Pantry' });
    expect(await run('remove_items', { items: ['bread'] })).toMatchObject({ items: [{ name: 'bread' }] });
    const checked = await run('check_items', { list: 'costco', items: ['rice'] });
    expect(checked).toMatchObject({ stocked: [{ name: 'rice', amount: 5, unit: 'kg', preferredStore: 'Costco' }] });
    expect(await run('clear_checked', { list: 'costco' })).toMatchObject({ items: [{ name: 'rice' }] });
    await run('add_task', { title: 'call the plumber', due: '2026-03-03T09:00:00+01:00' });

    await run('update_pantry', {
      items: [
        { name: 'spinach', quantity: '200 g', expires_on: '2026-03-03', location: 'fridge' },
        { name: 'garlic', quantity: '1 head' },
        { name: 'olive oil', status: 'low' },
        { name: 'flour', quantity: '1 kg' },
      ],
    });
    expect(await run('stock_pantry', { items: [{ name: 'spinach', quantity: '100 g' }], dry_run: true })).toMatchObject({ items: [{ name: 'spinach', quantity: '300 g' }] });
    expect((await run('get_pantry', { location: 'fridge' })).items).toMatchObject([{ name: 'spinach' }]);
    expect((await run('get_expiring', { days: 3 })).items).toMatchObject([{ name: 'spinach' }]);
    await run('remove_pantry_items', { names: ['flour'] });
    expect(await run('restock', { dry_run: true })).toMatchObject({ lists: [{ items: [{ item: { name: 'olive oil' } }] }] });

    await run('save_recipe', {
      title: 'Spinach pasta',
      servings: 2,
      ingredients: [
        { name: 'spaghetti', amount: 200, unit: 'g' },
        { name: 'spinach', amount: 100, unit: 'g' },
        { name: 'garlic', amount: 2, unit: 'clove' },
        { name: 'olive oil', amount: 2, unit: 'tbsp' },
      ],
      steps: ['Boil the pasta.', 'Wilt the spinach with garlic in oil.', 'Toss.'],
      tags: ['vegetarian', 'quick'],
    });
    const imported = await run('import_recipe', {
      text: 'Pancakes\nServes 4\n\nIngredients\n- 200 g flour\n- 2 eggs\n- 300 ml milk\n\nMethod\n1. Whisk.\n2. Fry.',
    });
    expect(imported).toMatchObject({ recipe: { title: 'Pancakes', servings: 4 } });
    expect((await run('search_recipes', { ingredient: 'spinach' })).recipes).toMatchObject([{ title: 'Spinach pasta' }]);
    expect(await run('get_recipe', { recipe: 'spinach pasta' })).toMatchObject({ recipe: { title: 'Spinach pasta', ingredients: [{ name: 'spaghetti' }, {}, {}, {}] } });
    const fulfillment = await run('recipe_fulfillment', { recipe: 'Spinach pasta', servings: 4 });
    expect(fulfillment).toMatchObject({ scale: 2, missing: ['spaghetti'] });
    const cooking = await run('what_can_i_cook', { limit: 2 });
    expect(cooking).toMatchObject({ recipes: [{ recipe: { title: 'Spinach pasta' }, usesExpiring: [{ name: 'spinach' }] }, { recipe: { title: 'Pancakes' } }] });
    expect((await run('use_it_up', { item: 'spinach' })).recipes).toMatchObject([{ recipe: { title: 'Spinach pasta' } }]);
    const shopping = await run('add_recipe_to_list', { recipe: 'Spinach pasta', servings: 4, dry_run: true });
    expect(shopping).toMatchObject({ lists: [{ list: { name: 'Shopping' }, items: [{ item: { name: 'spaghetti', quantity: '400 g' } }] }] });
    await run('set_ingredient_match', { ingredient: 'spaghetti', pantry_item: 'garlic' });
    await run('undo');
    const cooked = await run('cook_recipe', { recipe: 'Spinach pasta' });
    expect(cooked.used).toContainEqual({ name: 'spinach', before: 'spinach (200 g)', after: 'spinach (100 g)' });
    await run('delete_recipe', { recipe: 'Pancakes' });
    const history = await run('get_history', { limit: 5 });
    expect((history.events as unknown[])[0]).toMatchObject({ kind: 'recipe.remove', actor: 'assistant', door: 'mcp' });
    expect(await run('undo')).toMatchObject({ summary: 'Undid: deleted the recipe Pancakes' });

    expect([...TOOLS.map((tool) => tool.name)].filter((name) => !used.has(name))).toEqual([]);
  });

  it('keeps two households apart: one token never sees or changes the other household', async () => {
    const family = await connect(familyToken);
    const cousins = await connect(cousinsToken);
    await ok(family, 'add_items', { items: [{ name: 'family secret sauce' }] });
    await ok(cousins, 'add_items', { items: [{ name: 'cousin crisps' }] });
    const theirs = (await ok(cousins, 'get_list')).items as Array<{ name: string }>;
    expect(theirs.map((item) => item.name)).toEqual(['cousin crisps']);
    const ours = (await ok(family, 'get_list')).items as Array<{ name: string; listId: number }>;
    expect(ours.map((item) => item.name)).not.toContain('cousin crisps');
    await fails(cousins, 'get_list', { list: ours[0]?.listId ?? 0 });
    await fails(cousins, 'remove_items', { items: ['family secret sauce'] });
    // The cousins' undo only ever reverses the cousins' own changes.
    await ok(cousins, 'undo');
    expect(((await ok(family, 'get_list')).items as Array<{ name: string }>).map((item) => item.name)).toContain('family secret sauce');
    const history = (await ok(cousins, 'get_history', { limit: 200 })).events as Array<{ summary: string }>;
    expect(history.some((event) => event.summary.includes('family secret sauce'))).toBe(false);
  });

  it('answers bad input with an error an assistant can act on, and changes nothing', async () => {
    const client = await connect(familyToken);
    const before = await ok(client, 'get_history', { limit: 1 });
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['add_items', { items: 'milk' }, /items/],
      ['add_items', {}, /items/],
      ['add_items', { items: [] }, /items/],
      ['add_items', { items: [{ name: 'x'.repeat(201) }] }, /name/],
      ['add_items', { items: [{ name: 'milk', quantity: -2 }] }, /quantity/],
      ['add_items', { items: [{ name: 'milk', quantity: '-2' }] }, /quantity/],
      ['add_items', { items: Array.from({ length: 101 }, (_, i) => ({ name: `item ${i}` })) }, /items/],
      ['add_items', { list: 'narnia', items: [{ name: 'milk' }] }, /no list called "narnia"/],
      ['remove_items', { items: ['unicorn'] }, /not on/],
      ['update_pantry', { items: [{ name: 'milk', expires_on: 'soon' }] }, /expires_on/],
      ['get_recipe', { recipe: 'no such dish' }, /no "no such dish"/i],
      ['save_recipe', { title: 'x', ingredients: [{ name: 'y', amount: 'lots' }] }, /amount/],
      ['undo', { event_id: 999_999 }, /no change #999999/],
      ['import_recipe', { text: 'lol' }, /couldn't find a recipe/],
    ];
    for (const [name, args, message] of cases) expect(await fails(client, name, args)).toMatch(message);
    expect(await ok(client, 'get_history', { limit: 1 })).toEqual(before);
  });

  it('exposes the household, lists, pantry and recipes as resources, and two prompts', async () => {
    const client = await connect(familyToken);
    const { resources } = await client.listResources();
    const uris = resources.map((resource) => resource.uri);
    expect(uris).toEqual(expect.arrayContaining(['larder://household', 'larder://pantry']));
    expect(uris.some((uri) => uri.startsWith('larder://lists/'))).toBe(true);
    expect(uris.some((uri) => uri.startsWith('larder://recipes/'))).toBe(true);
    const listUri = uris.find((uri) => uri.startsWith('larder://lists/')) ?? '';
    const list = await client.readResource({ uri: listUri });
    expect(JSON.parse((list.contents[0] as { text: string }).text)).toMatchObject({ list: { name: 'Shopping' } });
    const household = await client.readResource({ uri: 'larder://household' });
    expect(JSON.parse((household.contents[0] as { text: string }).text)).toMatchObject({ timeZone: 'Europe/Stockholm' });
    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name).sort()).toEqual(['plan_meals', 'weekly_shop']);
    const plan = await client.getPrompt({ name: 'plan_meals', arguments: { days: '5' } });
    expect((plan.messages[0]?.content as { text: string }).text).toMatch(/next 5 days.*dry_run/s);
  });
});

describe('HTTP guard rails', () => {
  const post = (headers: Record<string, string>, body: string = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}') =>
    fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body,
    });

  it('answers 401 with WWW-Authenticate for a missing, malformed, unknown or revoked token, and runs nothing', async () => {
    const before = await t.core.journal.history({ householdId: (await t.core.households.ensure('family')).id, actor: { door: 'cli', name: 't' }, requestId: '' });
    const addBody = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add_items', arguments: { items: [{ name: 'sneaky' }] } } });
    const revoked = (await t.core.tokens.create((await t.core.households.ensure('family')).id)).token;
    await t.core.tokens.revoke(revoked.slice(0, 12));
    const headerSets: Array<Record<string, string>> = [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer lrd_nottherightoneatallnottherightoneatall' }, { authorization: `Bearer ${revoked}` }];
    for (const headers of headerSets) {
      const response = await post(headers, addBody);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const getResponse = await fetch(`${server.url}/mcp`, { headers: { 'mcp-session-id': 'whatever' } });
    expect(getResponse.status).toBe(401);
    const after = await t.core.journal.history({ householdId: (await t.core.households.ensure('family')).id, actor: { door: 'cli', name: 't' }, requestId: '' });
    expect(after).toEqual(before);
  });

  it('refuses foreign Origin and Host headers, accepts local ones', async () => {
    expect((await post({ authorization: `Bearer ${familyToken}`, origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ authorization: `Bearer ${familyToken}`, origin: 'http://localhost:5173' })).status).toBe(200);
    expect((await post({ authorization: `Bearer ${familyToken}`, origin: 'http://[::1]:8080' })).status).toBe(200);
    const rebinding = await new Promise<number>((resolve, reject) => {
      import('node:http')
        .then(({ request }) => {
          const req = request(`${server.url}/mcp`, { method: 'POST', headers: { host: 'attacker.example:3000', authorization: `Bearer ${familyToken}` } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end('{}');
        })
        .catch(reject);
    });
    expect(rebinding).toBe(403);
  });

  it('refuses a body over 1 MB with 413 and serves /healthz without a token', async () => {
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'import_recipe', arguments: { text: 'x'.repeat(1024 * 1024) } } });
    expect((await post({ authorization: `Bearer ${familyToken}` }, huge)).status).toBe(413);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    expect((await post({ authorization: `Bearer ${familyToken}` }, '{not json')).status).toBe(400);
  });
});
