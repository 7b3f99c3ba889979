import { LarderError } from '../errors.ts';
import { normalizeKey } from '../nlp/normalize.ts';

/** What a name found among rows: one row, several candidates, or nothing. */
export type NameMatch<T> = { kind: 'one'; row: T } | { kind: 'many'; rows: T[] } | { kind: 'none' };

const LEADING_WORDS = /^(?:(?:the|some|my|our|all|of|a|an|any|that|those|these)\s+)+/;

/**
 * Finds what a person meant by a name among rows that have a key: the exact key first, then a row
 * whose name ends with or contains the words said ("yogurt" → "greek yogurt"). Several equally
 * good rows are "many", so the caller can ask instead of guessing.
 *
 * @example matchName(items, 'the yogurt') // { kind: 'one', row: <greek yogurt> }
 */
export function matchName<T extends { key: string }>(rows: readonly T[], name: string): NameMatch<T> {
  const wanted = normalizeKey(normalizeKey(name).replace(LEADING_WORDS, ''));
  if (wanted === '') return { kind: 'none' };
  const exact = rows.filter((row) => row.key === wanted);
  if (exact.length > 0) return exact.length === 1 && exact[0] ? { kind: 'one', row: exact[0] } : { kind: 'many', rows: exact };

  const words = (key: string) => ` ${key} `;
  const tiers: Array<(row: T) => boolean> = [
    (row) => words(row.key).endsWith(` ${wanted} `),
    (row) => words(row.key).includes(` ${wanted} `),
    (row) => words(wanted).endsWith(` ${row.key} `),
  ];
  for (const tier of tiers) {
    const found = rows.filter(tier);
    if (found.length === 1 && found[0]) return { kind: 'one', row: found[0] };
    if (found.length > 1) return { kind: 'many', rows: found };
  }
  return { kind: 'none' };
}

/** Like matchName, but one row or a typed error: `not_found:<what>` or `ambiguous:<what>` with the candidates. */
export function findOne<T extends { key: string; name: string }>(rows: readonly T[], name: string, what: string, where: string): T {
  const match = matchName(rows, name);
  if (match.kind === 'one') return match.row;
  if (match.kind === 'many') {
    const names = match.rows.map((row) => row.name);
    throw new LarderError(`ambiguous:${what}`, `"${name}" could be ${names.map((n) => `"${n}"`).join(' or ')} ${where}; say which.`, {
      candidates: names,
    });
  }
  throw new LarderError(`not_found:${what}`, `There is no "${name}" ${where}.`);
}
