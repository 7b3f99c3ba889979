import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, root, runLarder, type Run } from './support/cli.ts';
import { testPostgresUrl } from './support/core.ts';


/** Runs `larder …` as a user would, in its own process. */
function larder(args: string[], options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<Run> {
  return runLarder(args, { env: { ...process.env, LARDER_LOG_LEVEL: 'warn', ...options.env }, input: options.input ?? '', timeoutMs: options.timeoutMs ?? 30_000 });
}

let dataDir: string;
let databaseEnv: Record<string, string>;
let dropDatabase: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'larder-cli-'));
  const postgres = await testPostgresUrl();
  if (postgres) dropDatabase = () => postgres.drop();
  // The same commands against whichever database the suite runs on.
  databaseEnv = postgres ? { DATABASE_URL: postgres.url } : { LARDER_DATA_DIR: dataDir };
});

afterAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await dropDatabase();
});

describe('larder parse / categorize / recipe parse', () => {
  it('prints the fast-path reading as one JSON object', async () => {
    const run = await larder(['parse', '--json', 'add 2 l milk and a dozen eggs to costco']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toEqual({
      intent: 'add_items',
      list: 'costco',
      items: [
        { name: 'milk', quantity: '2 l' },
        { name: 'eggs', quantity: '12' },
      ],
    });
    const unknown = await larder(['parse', '--json', "my sister is coming over, she's vegan, sort something out"]);
    expect(JSON.parse(unknown.stdout)).toEqual({ intent: 'unknown', list: null, items: [] });
  });

  it('prints catalog categories as a JSON array', async () => {
    const run = await larder(['categorize', '--json', 'milk', 'greek yogurt', 'frozen peas', 'dish soap', 'xyzzy']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      { name: 'milk', category: 'Dairy & Eggs', source: 'catalog' },
      { name: 'greek yogurt', category: 'Dairy & Eggs', source: 'catalog' },
      { name: 'frozen peas', category: 'Frozen', source: 'catalog' },
      { name: 'dish soap', category: 'Household', source: 'catalog' },
      { name: 'xyzzy', category: 'Other', source: 'default' },
    ]);
  });

  it('parses recipe text from standard input', async () => {
    const text = fs.readFileSync(path.join(root, 'test/fixtures/recipes/chat-pancakes.txt'), 'utf8');
    const run = await larder(['recipe', 'parse', '--json'], { input: text });
    expect(run.code).toBe(0);
    const recipe = JSON.parse(run.stdout) as { title: string; servings: number | null; ingredients: unknown[]; steps: string[] };
    expect(Object.keys(recipe)).toEqual(['title', 'servings', 'ingredients', 'steps']);
    expect(recipe.servings).toBe(8);
    expect(recipe.ingredients).toContainEqual({ name: 'flour', amount: 1, unit: 'cup', note: null });
    expect(recipe.ingredients).toContainEqual({ name: 'butter', amount: 2, unit: 'tbsp', note: 'melted' });
    expect(recipe.steps.length).toBeGreaterThanOrEqual(3);
  });

  it('explains usage mistakes on stderr with a non-zero exit', async () => {
    const run = await larder(['parse']);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/missing required argument/);
  });
});

describe('larder token and configuration', () => {
  it("documents every setting in the README's configuration table, and every command in its command table", async () => {
    const { configSchema } = await import('../src/config.ts');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const configTable = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
    const undocumented = Object.keys(configSchema.shape).filter((name) => !configTable.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
    // Help is a message, so it goes to stderr.
    const { stderr: help } = await larder(['--help']);
    const commands = [...help.slice(help.indexOf('Commands:')).matchAll(/^ {2}([a-z-]+)/gm)].map((match) => match[1]).filter((name) => name !== 'help');
    expect(commands.length).toBeGreaterThan(10);
    expect(commands.filter((name) => !readme.includes(`| \`larder ${name}`))).toEqual([]);
  });

  // Four processes, each opening the database: slow on a busy two-core machine.
  it('creates a token (only the token on stdout) and revokes it', { timeout: 120_000 }, async () => {
    const created = await larder(['token', 'create', '--household', 'family'], { env: databaseEnv });
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^lrd_[A-Za-z0-9_-]{32,}$/);
    expect(created.stdout).toBe(`${token}\n`);
    const listed = await larder(['token', 'list', '--household', 'family', '--json'], { env: databaseEnv });
    expect(JSON.parse(listed.stdout)).toMatchObject([{ prefix: token.slice(0, 12), revokedAt: null }]);
    const revoked = await larder(['token', 'revoke', token.slice(0, 12)], { env: databaseEnv });
    expect(revoked.code, revoked.stderr).toBe(0);
    const again = await larder(['token', 'revoke', token.slice(0, 12)], { env: databaseEnv });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/No active token starts with/);
  });

  it('stops at once with a message naming a bad variable', async () => {
    const run = await larder(['migrate'], { env: { ...databaseEnv, PORT: 'abc', LARDER_LLM_CONCURRENCY: '0' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/PORT: must be a whole number/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).toMatch(/LARDER_LLM_CONCURRENCY/);
  });

  // The bound under test is the second process's 10 s; the server's own start and stop on a busy machine can take longer.
  it('does not hang when another process holds the PGlite folder', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'larder-lock-'));
    const server = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd: root, env: { ...process.env, LARDER_DATA_DIR: dir, DATABASE_URL: '' } });
    try {
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        server.stderr.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes('Larder MCP server')) resolve();
        });
        server.on('exit', () => reject(new Error(`serve exited: ${seen}`)));
      });
      const started = Date.now();
      const run = await larder(['token', 'create', '--household', 'x'], { env: { LARDER_DATA_DIR: dir, DATABASE_URL: '' } });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/in use by another Larder process/);
    } finally {
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        await new Promise((resolve) => server.once('exit', resolve));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('larder mcp (stdio)', () => {
  it('serves the tools of LARDER_HOUSEHOLD to an MCP client over stdio', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [bin, 'mcp'],
      cwd: root,
      env: { ...(process.env as Record<string, string>), ...databaseEnv, LARDER_HOUSEHOLD: 'stdio-home', LARDER_LOG_LEVEL: 'warn' },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'larder-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('add_items');
      const added = (await client.callTool({ name: 'add_items', arguments: { items: [{ name: 'bread' }, { name: 'milk', quantity: '1 l' }] } })) as CallToolResult;
      expect(added.isError).toBeFalsy();
      const list = (await client.callTool({ name: 'get_list', arguments: {} })) as CallToolResult;
      expect(list.structuredContent).toMatchObject({ list: { name: 'Shopping' }, items: [{ name: 'milk', category: 'Dairy & Eggs' }, { name: 'bread', category: 'Bakery' }] });
      const household = (await client.callTool({ name: 'get_household', arguments: {} })) as CallToolResult;
      expect(household.structuredContent).toMatchObject({ household: { slug: 'stdio-home' } });
      const bad = (await client.callTool({ name: 'add_items', arguments: { items: [{ name: '' }] } })) as CallToolResult;
      expect(bad.isError).toBe(true);
    } finally {
      await client.close();
    }
  });
});
