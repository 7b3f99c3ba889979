/**
 * `add_items` with 1, 10 and 100 items: database round trips and time, on PGlite and (when it
 * answers) on PostgreSQL. Round trips are counted at the driver: every PGlite `query`/`exec`
 * (inside transactions too) plus BEGIN and COMMIT, and every `pg` client query.
 *
 * Run: npx tsx bench/add-items.ts [--repeat 5] [--postgres postgres://postgres@127.0.0.1:5432/test]
 * Round trips must not grow with the number of items; time per item should fall as the batch grows.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { newRequest, type RequestContext } from '../src/core/context.ts';
import { createCore, type Core } from '../src/core/core.ts';
import { openDatabase, type Database } from '../src/core/db/client.ts';
import { newBenchPostgres } from './support/postgres.ts';
import { watchPg, watchPglite } from './support/statements.ts';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '5' },
    postgres: { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const repeat = Number(values.repeat);
const SIZES = [1, 10, 100] as const;

let roundTrips = 0;

interface Measure {
  trips: number;
  ms: number;
}

type Case = 'add' | 'merge' | 'named';
type Measures = Record<Case, Measure>;

/**
 * Adds `size` new items to a list of their own, then the same items again (all merge), then
 * `size` new items that each name a category (remembered for next time) on a list of another
 * household: learning a category changes the household's kept rows (src/core/db/read-cache.ts),
 * and this way it does not make the plain adds read them again.
 */
async function measure(core: Core, plain: RequestContext, plainList: number, named: RequestContext, namedList: number, size: number): Promise<Measures> {
  const tag = randomUUID().slice(0, 8);
  const items = Array.from({ length: size }, (_, i) => ({ name: `bench item ${i}`, quantity: `${1 + (i % 3)}` }));
  const naming = Array.from({ length: size }, (_, i) => ({ name: `named ${tag} ${i}`, category: 'Pantry' }));
  const once = async (ctx: RequestContext, list: number, batch: typeof items | typeof naming): Promise<Measure> => {
    const before = roundTrips;
    const started = performance.now();
    const result = await core.lists.add(newRequest(ctx.householdId, ctx.actor), { list, items: batch });
    const ms = performance.now() - started;
    if (result.items.length !== size) throw new Error(`added ${result.items.length} of ${size}`);
    return { trips: roundTrips - before, ms };
  };
  return { add: await once(plain, plainList, items), merge: await once(plain, plainList, items), named: await once(named, namedList, naming) };
}

async function runOn(label: string, database: Database): Promise<void> {
  await database.migrate();
  const core = createCore({ db: database.db, changes: database.changes });
  const contexts = await Promise.all(
    ['bench', 'bench named'].map(async (slug) => newRequest((await core.households.ensure(slug)).id, { door: 'cli', name: 'bench' })),
  );
  const [plain, named] = contexts as [RequestContext, RequestContext];
  // Every list up front: creating one changes the household's kept rows too.
  const listsOf = async (ctx: RequestContext) =>
    Promise.all(Array.from({ length: SIZES.length * repeat + 1 }, async (_, i) => (await core.lists.create(ctx, { name: `bench ${i}` })).id));
  const [plainLists, namedLists] = [await listsOf(plain), await listsOf(named)];
  // On PostgreSQL the change feed's notices of those lists arrive a moment after their commits.
  await new Promise((resolve) => setTimeout(resolve, 300));
  let next = 0;
  const take = () => {
    const index = next++;
    return [plainLists[index] ?? 0, namedLists[index] ?? 0] as const;
  };
  const [warmPlain, warmNamed] = take();
  await measure(core, plain, warmPlain, named, warmNamed, 10); // warm-up: JIT, and the rows kept in memory
  const rows: Array<{ size: number } & Measures> = [];
  for (const size of SIZES) {
    const runs: Measures[] = [];
    for (let run = 0; run < repeat; run++) {
      const [plainList, namedList] = take();
      runs.push(await measure(core, plain, plainList, named, namedList, size));
    }
    // Round trips: the most any run took; time: the best run (the least disturbed by neighbours).
    const best = (which: Case): Measure => ({
      trips: Math.max(...runs.map((r) => r[which].trips)),
      ms: Math.min(...runs.map((r) => r[which].ms)),
    });
    rows.push({ size, add: best('add'), merge: best('merge'), named: best('named') });
  }
  const cell = (m: Measure) => `${String(m.trips).padStart(3)} round trips ${m.ms.toFixed(1).padStart(6)} ms`;
  for (const row of rows) {
    console.log(`${label.padEnd(8)} ${String(row.size).padStart(3)} items  new: ${cell(row.add)}  merge: ${cell(row.merge)}  with category: ${cell(row.named)}`);
  }
  const one = rows[0];
  const last = rows.at(-1);
  if (one && last) {
    const growth = (which: Case) => `×${(last[which].trips / one[which].trips).toFixed(2)}`;
    const slower = (which: Case) => `×${(last[which].ms / one[which].ms).toFixed(1)}`;
    console.log(
      `${label.padEnd(8)} 100 vs 1 item: round trips ${growth('add')} new, ${growth('merge')} merge, ${growth('named')} with category; ` +
        `time ${slower('add')}, ${slower('merge')}, ${slower('named')} (for 100× the items)`,
    );
    if ((['add', 'merge', 'named'] as const).some((which) => last[which].trips > one[which].trips)) {
      console.error(`FAIL: ${label} round trips grow with the item count`);
      process.exitCode = 1;
    }
  }
}

const pglite = await openDatabase({ kind: 'pglite', dataDir: null });
watchPglite(pglite, () => roundTrips++);
try {
  await runOn('pglite', pglite);
} finally {
  await pglite.close();
}

watchPg(() => roundTrips++);
const postgres = await newBenchPostgres(values.postgres);
if (postgres) {
  const database = await openDatabase({ kind: 'postgres', url: postgres.url });
  try {
    await runOn('postgres', database);
  } finally {
    await database.close();
    await postgres.drop();
  }
} else {
  console.log(`postgres skipped: ${values.postgres} does not answer`);
}
