/**
 * The statements a database driver sends, watched at the driver: what the benchmarks count
 * (round trips) and record (to replay them without Larder around them).
 */
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Database } from '../../src/core/db/client.ts';

/**
 * One statement as the driver sent it: a query with its values, a plain command (`exec`, BEGIN,
 * COMMIT), or a run of a named statement (`namedStatement` in src/core/db/client.ts; on PGlite
 * its first run also sends a `prepare`, the Parse and Describe of its text).
 */
export type SentStatement =
  | { kind: 'query'; text: string; values: unknown[]; name?: string }
  | { kind: 'exec'; text: string }
  | { kind: 'named'; name: string; text: string; values: Array<string | null> }
  | { kind: 'prepare'; name: string; text: string };

type Queryable = Pick<PGlite, 'query' | 'exec'>;

/** The text of each named statement prepared on a PGlite, for every watcher of it. */
const namedTexts = new WeakMap<PGlite, Map<string, string>>();

/**
 * Calls `seen` with every statement sent through the PGlite client under `database` (opened as
 * `larder serve` opens it) and through its transactions, whose BEGIN and COMMIT (or ROLLBACK)
 * PGlite sends itself.
 */
export function watchPglite(database: Database, seen: (statement: SentStatement) => void): void {
  const watch = <T extends Queryable>(target: T): T => {
    const query = target.query.bind(target);
    const exec = target.exec.bind(target);
    const watched: Queryable = {
      query: (text, values, options) => {
        seen({ kind: 'query', text, values: values ?? [] });
        return query(text, values, options);
      },
      exec: (text, options) => {
        seen({ kind: 'exec', text });
        return exec(text, options);
      },
    };
    return Object.assign(target, watched);
  };
  const client = watch((database.db as unknown as { $client: PGlite }).$client);
  // Named statements go through PGlite's protocol API: a Parse once, then Bind and Execute.
  const texts = namedTexts.get(client) ?? new Map<string, string>();
  namedTexts.set(client, texts);
  const execProtocol = client.execProtocol.bind(client);
  client.execProtocol = (message, options) => {
    for (const sent of frontendMessages(message)) {
      if (sent.type === 'P') {
        texts.set(sent.name, sent.text);
        seen({ kind: 'prepare', name: sent.name, text: sent.text });
      } else if (sent.type === 'B') {
        // Prepared before this watcher began: its text is not known here, its name is.
        seen({ kind: 'named', name: sent.name, text: texts.get(sent.name) ?? `execute ${sent.name}`, values: sent.values });
      }
    }
    return execProtocol(message, options);
  };
  const transaction = client.transaction.bind(client);
  client.transaction = (callback) => {
    seen({ kind: 'exec', text: 'begin' });
    return transaction((tx) => callback(watch(tx))).finally(() => seen({ kind: 'exec', text: 'commit' }));
  };
}

/** Calls `seen` with every query any `pg` client sends (pooled or not, BEGIN and COMMIT too); returns what stops watching. */
export function watchPg(seen: (statement: SentStatement) => void): () => void {
  type Config = { text: string; values?: unknown[]; name?: string };
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = prototype.query;
  prototype.query = function watched(this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    const values = Array.isArray(second) ? (second as unknown[]) : [];
    if (typeof first === 'string') seen({ kind: 'query', text: first, values });
    else {
      const config = first as Config;
      seen({ kind: 'query', text: config.text, values: config.values ?? values, ...(config.name ? { name: config.name } : {}) });
    }
    return query.apply(this, args);
  };
  return () => {
    prototype.query = query;
  };
}

/** The Parse and Bind messages in a buffer of frontend protocol messages (the others are skipped). */
function frontendMessages(buffer: Uint8Array): Array<{ type: 'P'; name: string; text: string } | { type: 'B'; name: string; values: Array<string | null> }> {
  const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const found: Array<{ type: 'P'; name: string; text: string } | { type: 'B'; name: string; values: Array<string | null> }> = [];
  let offset = 0;
  while (offset + 5 <= bytes.length) {
    const type = String.fromCharCode(bytes[offset] ?? 0);
    const end = offset + 1 + bytes.readInt32BE(offset + 1);
    let at = offset + 5;
    const cstring = () => {
      const zero = bytes.indexOf(0, at);
      const text = bytes.toString('utf8', at, zero);
      at = zero + 1;
      return text;
    };
    if (type === 'P') {
      const name = cstring();
      found.push({ type, name, text: cstring() });
    } else if (type === 'B') {
      cstring(); // portal
      const name = cstring();
      const formats = bytes.readInt16BE(at);
      at += 2 + 2 * formats;
      const count = bytes.readInt16BE(at);
      at += 2;
      const values: Array<string | null> = [];
      for (let index = 0; index < count; index++) {
        const length = bytes.readInt32BE(at);
        at += 4;
        values.push(length < 0 ? null : bytes.toString('utf8', at, at + length));
        at += Math.max(length, 0);
      }
      found.push({ type, name, values });
    }
    offset = end;
  }
  return found;
}
