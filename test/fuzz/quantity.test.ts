/**
 * Properties of mergeQuantities over generated quantities: total on valid input (the only error
 * is a merge past 1,000,000), commutative and associative in the amount it adds up, neutral with
 * null, and its result always reads back as itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT, MAX_QUANTITY_LENGTH, mergeQuantities, parseQuantity, QuantityError, tryParseQuantity, type QuantityPart } from '../../src/core/nlp/quantity.ts';
import { convertAmount, dimensionOf, unitMagnitude } from '../../src/core/nlp/units.ts';

const RUNS = 1500;
const SEED = Number(process.env.FUZZ_SEED ?? 20260302);

const VOLUME = ['ml', 'cl', 'dl', 'l', 'tsp', 'tbsp', 'fl oz', 'cup', 'pt', 'qt', 'gal'];
const MASS = ['mg', 'g', 'kg', 'oz', 'lb'];
/** Unit spellings people type, each with the canonical unit it means. */
const SPELLINGS: Record<string, string> = {
  ml: 'ml', millilitres: 'ml', cl: 'cl', dl: 'dl', l: 'l', liters: 'l', litre: 'l', tsp: 'tsp', teaspoons: 'tsp', tbsp: 'tbsp', tablespoon: 'tbsp',
  'fl oz': 'fl oz', cup: 'cup', cups: 'cup', pt: 'pt', pints: 'pt', qt: 'qt', gal: 'gal', gallons: 'gal',
  mg: 'mg', g: 'g', grams: 'g', kg: 'kg', kilos: 'kg', oz: 'oz', ounces: 'oz', lb: 'lb', lbs: 'lb', pounds: 'lb',
};
const COUNT_UNITS = ['bottle', 'can', 'jar', 'bag', 'pack', 'loaf', 'bunch', 'box', 'six-pack', 'clove', 'pinch'];
const COUNT_SPELLINGS = ['bottle', 'bottles', 'can', 'cans', 'jar', 'jars', 'bag', 'bags', 'pack', 'packs', 'loaf', 'loaves', 'bunch', 'bunches', 'box', 'boxes', 'six-pack', 'six-packs', 'clove', 'cloves', 'pinch', 'pinches'];
const APPROX = ['a few', 'some', 'several', 'lots', 'a little'];

/** Amounts as people write them: integers, decimals, fractions, words. */
const amountText = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.integer({ min: 1, max }).map(String), weight: 4 },
    { arbitrary: fc.tuple(fc.integer({ min: 0, max: Math.min(max, 9999) }), fc.integer({ min: 1, max: 999 })).map(([whole, decimals]) => `${whole}.${decimals}`), weight: 2 },
    { arbitrary: fc.constantFrom('1/2', '3/4', '1 1/2', '2 1/4', '½', '1½'), weight: 1 },
    { arbitrary: fc.constantFrom('two', 'a dozen', 'half a dozen', 'twenty-five', 'a couple', 'three'), weight: 1 },
  );

/** One part: an amount with a measurement unit, a count unit or none; or a descriptive amount. */
const part = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.tuple(amountText(max), fc.constantFrom(...Object.keys(SPELLINGS))).map(([amount, unit]) => `${amount} ${unit}`), weight: 5 },
    { arbitrary: fc.tuple(amountText(max), fc.constantFrom(...COUNT_SPELLINGS)).map(([amount, unit]) => `${amount} ${unit}`), weight: 2 },
    { arbitrary: amountText(max), weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom(...APPROX), fc.constantFrom('', ' cans', ' g', ' bags')).map(([words, unit]) => `${words}${unit}`), weight: 1 },
  );

/** A valid quantity as typed: one to three parts joined by "+", within the 100-character limit. */
const quantity = (max = 1_000_000): fc.Arbitrary<string> =>
  fc
    .array(part(max), { minLength: 1, maxLength: 3 })
    .map((parts) => parts.join(' + '))
    .filter((text) => tryParseQuantity(text) !== null);

/** A single-part quantity of one dimension, with amounts small enough that sums stay under the limit. */
type Family = 'volume' | 'mass' | 'number' | 'count';
const single = (family: Family, countUnit = 'bottle'): fc.Arbitrary<string> => {
  const amount = amountText(100_000);
  switch (family) {
    case 'volume':
      return fc.tuple(amount, fc.constantFrom(...Object.keys(SPELLINGS).filter((unit) => VOLUME.includes(SPELLINGS[unit] ?? '')))).map(([a, u]) => `${a} ${u}`);
    case 'mass':
      return fc.tuple(amount, fc.constantFrom(...Object.keys(SPELLINGS).filter((unit) => MASS.includes(SPELLINGS[unit] ?? '')))).map(([a, u]) => `${a} ${u}`);
    case 'number':
      return amount;
    case 'count':
      return amount.map((a) => `${a} ${countUnit}`);
  }
};
const sameFamily = (size: number): fc.Arbitrary<string[]> =>
  fc
    .tuple(fc.constantFrom<Family>('volume', 'mass', 'number', 'count'), fc.constantFrom(...COUNT_UNITS))
    .chain(([family, countUnit]) => fc.array(single(family, countUnit), { minLength: size, maxLength: size }))
    .filter((texts) => texts.every((text) => tryParseQuantity(text) !== null));

/** The one part of a single-part quantity, as an amount in the dimension's base unit (ml, g) or a count. */
function total(text: string | null): { base: number; unit: string | null } {
  if (text === null) throw new Error('no quantity');
  const parts = parseQuantity(text).parts;
  expect(parts, `"${text}" should be one part`).toHaveLength(1);
  const [only] = parts as [QuantityPart];
  if (only.amount === null) throw new Error(`"${text}" has no amount`);
  const dimension = dimensionOf(only.unit);
  if (dimension === 'count' || only.unit === null) return { base: only.amount, unit: only.unit };
  return { base: convertAmount(only.amount, only.unit, dimension === 'volume' ? 'ml' : 'g') ?? Number.NaN, unit: only.unit };
}

/**
 * Rounding to three decimals of the result's unit, at most half a thousandth once per merge, is
 * all the error allowed (with a hair for floating point, since a half rounds either way).
 */
function tolerance(unit: string | null, merges: number): number {
  const magnitude = unit === null ? 1 : (unitMagnitude(unit) ?? 1);
  return merges * 0.0005 * magnitude * (1 + 1e-6) + 1e-9;
}

/**
 * What merging `texts` must add up to, group by group: counts by unit, bare numbers, and volume
 * and mass each in the largest unit present (the unit a merge writes them in).
 */
function expectedGroups(texts: readonly string[]): Map<string, { amount: number; unit: string | null }> {
  const groups = new Map<string, { amount: number; unit: string | null }>();
  for (const text of texts) {
    for (const { amount, unit } of parseQuantity(text).parts) {
      if (amount === null) continue;
      const dimension = dimensionOf(unit);
      const key = dimension === 'count' ? `count:${unit ?? ''}` : dimension;
      const group = groups.get(key);
      if (!group) {
        groups.set(key, { amount, unit });
      } else if (dimension === 'count' || group.unit === null || unit === null) {
        group.amount += amount;
      } else {
        const target = (unitMagnitude(group.unit) ?? 0) >= (unitMagnitude(unit) ?? 0) ? group.unit : unit;
        group.amount = (convertAmount(group.amount, group.unit, target) ?? Number.NaN) + (convertAmount(amount, unit, target) ?? Number.NaN);
        group.unit = target;
      }
    }
  }
  return groups;
}

describe('mergeQuantities, properties', () => {
  it('never throws on two valid quantities, except a QuantityError when a sum passes 1,000,000 or the text 100 characters', () => {
    let threw = 0;
    let merged = 0;
    fc.assert(
      fc.property(fc.option(quantity(), { nil: null }), fc.option(quantity(), { nil: null }), (a, b) => {
        const largest = Math.max(...[...expectedGroups([a, b].filter((text) => text !== null)).values()].map((group) => group.amount), 0);
        const longest = [a, b].reduce((length, text) => length + (text === null ? 0 : parseQuantity(text).text.length + 3), 0);
        let result: string | null;
        try {
          result = mergeQuantities(a, b);
        } catch (error) {
          expect(error).toBeInstanceOf(QuantityError);
          const { message } = error as QuantityError;
          if (/longer than 100 characters/.test(message)) {
            // The merged text can only be as long as both texts and a " + ".
            expect(longest).toBeGreaterThan(MAX_QUANTITY_LENGTH);
          } else {
            expect(message).toMatch(/1,000,000/);
            // Only a sum past the limit may fail (floating point aside, right at the limit).
            expect(largest).toBeGreaterThan(MAX_AMOUNT * (1 - 1e-9));
            threw += 1;
          }
          return;
        }
        expect(largest).toBeLessThanOrEqual(MAX_AMOUNT * (1 + 1e-9));
        expect(result?.length ?? 0).toBeLessThanOrEqual(MAX_QUANTITY_LENGTH);
        merged += 1;
        if (a === null && b === null) expect(result).toBeNull();
        else expect(typeof result).toBe('string');
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(merged).toBeGreaterThan(RUNS / 2);
    expect(threw).toBeGreaterThan(0);
  });

  it('gives a result that reads back as itself', () => {
    fc.assert(
      fc.property(quantity(), quantity(), (a, b) => {
        let result: string | null;
        try {
          result = mergeQuantities(a, b);
        } catch (error) {
          if (error instanceof QuantityError) return;
          throw error;
        }
        if (result === null) throw new Error('two quantities merged into none');
        expect(parseQuantity(result).text).toBe(result);
        // And merging it with nothing changes nothing.
        expect(mergeQuantities(result, null)).toBe(result);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('keeps every amount: each group adds up to the sum of its parts', () => {
    fc.assert(
      fc.property(quantity(100_000), quantity(100_000), (a, b) => {
        const result = mergeQuantities(a, b);
        if (result === null) throw new Error('two quantities merged into none');
        const expected = expectedGroups([a, b]);
        const actual = expectedGroups([result]);
        expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [key, group] of expected) {
          const got = actual.get(key);
          expect(got?.unit, `${a} + ${b} = ${result}: unit of ${key}`).toBe(group.unit);
          expect(Math.abs((got?.amount ?? Number.NaN) - group.amount), `${a} + ${b} = ${result}: amount of ${key}`).toBeLessThanOrEqual(0.0005 * (1 + 1e-6) + 1e-9);
        }
        // Descriptive parts ("a few cans") are kept, once each.
        const approx = (text: string) => new Set(parseQuantity(text).parts.filter((p) => p.amount === null).map((p) => `${p.approx ?? ''}/${p.unit ?? ''}`));
        expect(approx(result)).toEqual(new Set([...approx(a), ...approx(b)]));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('is commutative in the total amount, for quantities of one dimension', () => {
    fc.assert(
      fc.property(sameFamily(2), ([a, b]) => {
        if (a === undefined || b === undefined) throw new Error('two quantities expected');
        const ab = total(mergeQuantities(a, b));
        const ba = total(mergeQuantities(b, a));
        const sum = total(a).base + total(b).base;
        expect(ab.unit).toBe(ba.unit);
        expect(Math.abs(ab.base - ba.base)).toBeLessThanOrEqual(tolerance(ab.unit, 2));
        expect(Math.abs(ab.base - sum)).toBeLessThanOrEqual(tolerance(ab.unit, 1));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('is associative in the total amount, for quantities of one dimension', () => {
    fc.assert(
      fc.property(sameFamily(3), ([a, b, c]) => {
        if (a === undefined || b === undefined || c === undefined) throw new Error('three quantities expected');
        const left = total(mergeQuantities(mergeQuantities(a, b), c));
        const right = total(mergeQuantities(a, mergeQuantities(b, c)));
        const sum = total(a).base + total(b).base + total(c).base;
        expect(left.unit).toBe(right.unit);
        expect(Math.abs(left.base - right.base)).toBeLessThanOrEqual(tolerance(left.unit, 4));
        expect(Math.abs(left.base - sum)).toBeLessThanOrEqual(tolerance(left.unit, 2));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('refuses a merge whose text would not read back, rather than store it', () => {
    const a = '2.125 six-packs + 3.375 containers + a few sachets + 1.125 l';
    const b = '4.125 multipacks + 2.125 punnets + several pouches + 1.125 kg';
    expect(() => mergeQuantities(a, b)).toThrow(/longer than 100 characters/);
    // Long quantities of few groups still merge: the sum is as short as its parts.
    expect(mergeQuantities(a, '1 six-pack + 1 l')).toBe('3.125 six-packs + 3.375 containers + a few sachets + 2.125 l');
    fc.assert(
      fc.property(fc.array(part(1000), { minLength: 1, maxLength: 8 }), fc.array(part(1000), { minLength: 1, maxLength: 8 }), (left, right) => {
        const a = tryParseQuantity(left.join(' + '));
        const b = tryParseQuantity(right.join(' + '));
        if (a === null || b === null) return;
        try {
          const result = mergeQuantities(a.text, b.text);
          expect(parseQuantity(result ?? '').text).toBe(result);
        } catch (error) {
          expect(error).toBeInstanceOf(QuantityError);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('has null as its neutral element: merge(x, null) and merge(null, x) are x normalized', () => {
    expect(mergeQuantities(null, null)).toBeNull();
    fc.assert(
      fc.property(quantity(), (x) => {
        const normalized = parseQuantity(x).text;
        expect(mergeQuantities(x, null)).toBe(normalized);
        expect(mergeQuantities(null, x)).toBe(normalized);
        expect(mergeQuantities(x, '')).toBe(normalized);
        expect(mergeQuantities(x, '   ')).toBe(normalized);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
