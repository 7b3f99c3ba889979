import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Db } from '../../src/core/db/client.ts';
import * as schema from '../../src/core/db/schema.ts';
import { hashToken } from '../../src/core/services/tokens.ts';
import { silentLogger } from '../../src/core/log.ts';
import { startHttpServer } from '../../src/mcp/http.ts';
import { testCore, testDatabaseKind, testPostgresUrl, type TestCore } from '../support/core.ts';
import { eventually } from '../support/faults.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

let t: TestCore;
beforeAll(async () => {
  t = await testCore();
});
afterAll(async () => {
  await t.close();
});

/** Every row of every table, as text: a logical dump that works the same on PGlite and PostgreSQL. */
async function logicalDump(db: Db): Promise<string> {
  const tables = await queryRows<{ schema: string; name: string }>(
    db,
    sql`select table_schema as schema, table_name as name from information_schema.tables
        where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE' order by 1, 2`,
  );
  expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(['api_tokens', 'events', 'households']));
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await queryRows<{ dump: string | null }>(
      db,
      sql`select string_agg(to_jsonb(t)::text, E'\n') as dump from ${sql.identifier(table.schema)}.${sql.identifier(table.name)} t`,
    );
    parts.push(`${table.schema}.${table.name}\n${rows[0]?.dump ?? ''}`);
  }
  return parts.join('\n');
}

/** Fails if any 12-character run of the token's secret part (after the clear prefix) occurs in `haystack`. */
function expectNoSecret(haystack: string, token: string): void {
  expect(haystack).not.toContain(token);
  const secret = token.slice(12);
  for (let start = 0; start + 12 <= secret.length; start++) expect(haystack).not.toContain(secret.slice(start, start + 12));
}

describe('tokens at rest', () => {
  it('keeps only a SHA-256 hash and a short prefix: no clear token anywhere in the database', async () => {
    const household = await t.core.households.ensure('vault');
    const created = await Promise.all([t.core.tokens.create(household.id, 'laptop'), t.core.tokens.create(household.id), t.core.tokens.create(household.id)]);
    const tokens = created.map((entry) => entry.token);
    // Use them the way the doors do, then revoke one: none of it may write the token down.
    const server = await startHttpServer({ core: t.core, log: silentLogger(), port: 0, host: '127.0.0.1' });
    try {
      for (const token of tokens) {
        const response = await fetch(`${server.url}/mcp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add_items', arguments: { items: [{ name: `bought with ${token.slice(0, 12)}` }] } } }),
        });
        expect(response.status).toBe(200);
      }
    } finally {
      await server.close();
    }
    await t.core.tokens.revoke(tokens[2]?.slice(0, 12) ?? '');

    const rows = await t.core.db.select().from(schema.apiTokens).where(eq(schema.apiTokens.householdId, household.id));
    expect(rows.map((row) => row.hash).sort()).toEqual(tokens.map(hashToken).sort());
    expect(rows.map((row) => row.prefix).sort()).toEqual(tokens.map((token) => token.slice(0, 12)).sort());
    for (const row of rows) expect(row.hash).toMatch(/^[0-9a-f]{64}$/);

    const dump = await logicalDump(t.core.db);
    for (const token of tokens) expectNoSecret(dump, token);

    if (testDatabaseKind === 'pglite') {
      // The files on disk too: heap, indexes and write-ahead log.
      const client = (t.core.db as unknown as { $client: { query(q: string): Promise<unknown>; dumpDataDir(compression: 'none'): Promise<Blob> } }).$client;
      await client.query('checkpoint');
      const files = Buffer.from(await (await client.dumpDataDir('none')).arrayBuffer()).toString('latin1');
      expect(files).toContain(hashToken(tokens[0] ?? ''));
      for (const token of tokens) expectNoSecret(files, token);
    }
  });

  it('verifies by looking up the hash: the stored hash itself, a prefix or a near miss opens nothing', async () => {
    const household = await t.core.households.ensure('lookup');
    const { token, info } = await t.core.tokens.create(household.id);
    expect(await t.core.tokens.verify(token)).toEqual({ householdId: household.id, tokenId: info.id });
    const [row] = await t.core.db.select().from(schema.apiTokens).where(eq(schema.apiTokens.id, info.id));
    const stolenHash = row?.hash ?? '';
    // Someone holding a copy of the database holds hashes, which are not credentials.
    expect(await t.core.tokens.verify(stolenHash)).toBeNull();
    expect(await t.core.tokens.verify(`lrd_${stolenHash}`)).toBeNull();
    expect(await t.core.tokens.verify(token.slice(0, 12))).toBeNull();
    expect(await t.core.tokens.verify(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(await t.core.tokens.verify(`${token} `)).toBeNull();

    // The lookup key is the hash: give the row another token's hash and that token opens it instead.
    const other = `lrd_${'Z'.repeat(43)}`;
    await t.core.db.update(schema.apiTokens).set({ hash: hashToken(other) }).where(eq(schema.apiTokens.id, info.id));
    expect(await t.core.tokens.verify(other)).toEqual({ householdId: household.id, tokenId: info.id });
    // A row changed by hand reaches the verified tokens kept in memory through the change feed:
    // at once on PGlite, as soon as PostgreSQL's notice arrives on PostgreSQL.
    expect(await eventually(async () => (await t.core.tokens.verify(token)) === null, { timeoutMs: 2_000 })).toBe(true);
  });
});

describe('larder token create', () => {
  it('prints the token once on stdout and never on stderr, even with trace logging', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'larder-sec-'));
    const postgres = await testPostgresUrl();
    try {
      const env = postgres ? { DATABASE_URL: postgres.url } : { LARDER_DATA_DIR: dataDir, DATABASE_URL: '' };
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(root, 'bin/larder.js'), 'token', 'create', '--household', 'family'], {
          cwd: root,
          env: { ...process.env, ...env, LARDER_LOG_LEVEL: 'trace' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(run.code, run.stderr).toBe(0);
      const token = run.stdout.trim();
      expect(token).toMatch(/^lrd_[A-Za-z0-9_-]{32,}$/);
      expect(run.stderr).toContain(token.slice(0, 12));
      expectNoSecret(run.stderr, token);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await postgres?.drop();
    }
  });
});
