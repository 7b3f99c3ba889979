import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { openDatabase } from './client.ts';

/**
 * A new PGlite folder costs initdb: about 3 s, the whole first start. An initialized, migrated,
 * empty database saved once (at `npm install`, by `larder prepare`) is copied in instead, about 1 s.
 * It is PGlite's own dump (`dumpDataDir`), kept per PGlite version: a dump from another version
 * is never loaded.
 */

const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The PGlite version installed beside Larder. */
function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  // The package's exports do not list package.json: find it from the entry point.
  let dir = path.dirname(require.resolve('@electric-sql/pglite'));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  return version;
}

/** Where the template of the installed PGlite version lives (node_modules/.cache, like other tools' caches). */
export function pgliteTemplatePath(): string {
  return path.join(packageRoot, 'node_modules', '.cache', 'larder', `pglite-${pgliteVersion()}.tar.gz`);
}

/**
 * Writes the template: a fresh in-memory PGlite, dumped. Written beside and renamed, so a reader
 * never sees half a file and two installs at once do not clash.
 */
export async function writePgliteTemplate(file: string): Promise<{ bytes: number }> {
  // Migrated too: a start then finds nothing to apply (or only migrations newer than the install).
  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  try {
    await database.migrate();
    const client = (database.db as unknown as { $client: PGlite }).$client;
    const dump = Buffer.from(await (await client.dumpDataDir('gzip')).arrayBuffer());
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, dump);
    fs.renameSync(partial, file);
    return { bytes: dump.length };
  } finally {
    await database.close();
  }
}
