import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRequest } from '../../src/core/context.ts';
import { createCore } from '../../src/core/core.ts';
import { MIGRATIONS_FOLDER, openDatabase, queryRows } from '../../src/core/db/client.ts';
import { pgliteTemplatePath, writePgliteTemplate } from '../../src/core/db/pglite-template.ts';
import { runLarder } from '../support/cli.ts';

// PGlite folders on disk: the same on either test database.
let dir: string;
let template: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'larder-template-'));
  template = path.join(dir, 'template.tar.gz');
  await writePgliteTemplate(template);
}, 60_000);
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Opens a folder, migrates it, adds `item` if given, and returns what the default list holds. */
async function useFolder(dataDir: string, options: { template?: string; add?: string } = {}): Promise<string[]> {
  const database = await openDatabase({ kind: 'pglite', dataDir, ...(options.template ? { template: options.template } : {}) });
  try {
    await database.migrate();
    const core = createCore({ db: database.db });
    const household = await core.households.ensure('home');
    const ctx = newRequest(household.id, { door: 'cli', name: 'test' });
    if (options.add) await core.lists.add(ctx, { items: [{ name: options.add }] });
    return (await core.lists.get(ctx)).items.map((item) => item.name);
  } finally {
    await database.close();
  }
}

describe('a new PGlite folder starts from the saved template', () => {
  it('writes a gzip dump of an initialized database, written whole (no partial file left)', () => {
    const bytes = fs.readFileSync(template);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(bytes.length).toBeGreaterThan(1024 * 1024);
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('opens a new folder from it: a working database, migrated, that keeps its data', async () => {
    const folder = path.join(dir, 'from-template');
    expect(await useFolder(folder, { template, add: 'milk' })).toEqual(['milk']);
    expect(fs.existsSync(path.join(folder, 'PG_VERSION'))).toBe(true);
    // Reopened (template given again): the folder's own data, not a fresh copy.
    expect(await useFolder(folder, { template, add: 'eggs' })).toEqual(['eggs', 'milk']);
  }, 60_000);

  it('copies the template itself: a mark left in it is in the new folder', async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const marked = await PGlite.create();
    await marked.exec("create table template_mark (note text); insert into template_mark values ('from the template')");
    const markedFile = path.join(dir, 'marked.tar.gz');
    fs.writeFileSync(markedFile, Buffer.from(await (await marked.dumpDataDir('gzip')).arrayBuffer()));
    await marked.close();
    const database = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'marked'), template: markedFile });
    try {
      expect(await queryRows(database.db, sql`select note from template_mark`)).toEqual([{ note: 'from the template' }]);
    } finally {
      await database.close();
    }
  }, 60_000);

  it('is migrated already: a folder opened from it has every migration before migrate() runs', async () => {
    const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    const database = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'premigrated'), template });
    try {
      const rows = await queryRows<{ applied: number }>(database.db, sql`select count(*)::int as applied from drizzle.__drizzle_migrations`);
      expect(rows).toEqual([{ applied: journal.entries.length }]);
    } finally {
      await database.close();
    }
  }, 60_000);

  it('runs initdb as before when the template is missing', async () => {
    const folder = path.join(dir, 'no-template');
    expect(await useFolder(folder, { template: path.join(dir, 'missing.tar.gz'), add: 'bread' })).toEqual(['bread']);
  }, 60_000);

  it('is kept per PGlite version, beside the other tools’ caches', () => {
    expect(pgliteTemplatePath()).toMatch(/node_modules[/\\]\.cache[/\\]larder[/\\]pglite-\d+\.\d+\.\d+\.tar\.gz$/);
  });

  it('larder prepare --if-missing never fails an install and leaves an existing template alone', async () => {
    const existing = fs.existsSync(pgliteTemplatePath()) ? fs.statSync(pgliteTemplatePath()).mtimeMs : null;
    const run = await runLarder(['prepare', '--if-missing'], { timeoutMs: 60_000 });
    expect(run.code).toBe(0);
    expect(fs.existsSync(pgliteTemplatePath())).toBe(true);
    if (existing !== null) expect(fs.statSync(pgliteTemplatePath()).mtimeMs).toBe(existing);
  }, 90_000);
});
