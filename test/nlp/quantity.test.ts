import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countUnit,
  expandVulgarFractions,
  formatAmount,
  formatQuantity,
  mergeQuantities,
  parseQuantity,
  QuantityError,
  readNumber,
  singleAmount,
  tryParseQuantity,
  type QuantityPart,
} from '../../src/core/nlp/quantity.ts';

describe('parseQuantity', () => {
  const cases: Array<[input: string, text: string, parts: QuantityPart[]]> = [
    ['2', '2', [{ amount: 2, unit: null }]],
    ['1.5', '1.5', [{ amount: 1.5, unit: null }]],
    ['1,5', '1.5', [{ amount: 1.5, unit: null }]],
    ['.5', '0.5', [{ amount: 0.5, unit: null }]],
    ['1/2', '0.5', [{ amount: 0.5, unit: null }]],
    ['1 1/2', '1.5', [{ amount: 1.5, unit: null }]],
    ['1-1/2', '1.5', [{ amount: 1.5, unit: null }]],
    ['½', '0.5', [{ amount: 0.5, unit: null }]],
    ['1½', '1.5', [{ amount: 1.5, unit: null }]],
    ['¾ cup', '0.75 cups', [{ amount: 0.75, unit: 'cup' }]],
    ['1/3', '0.333', [{ amount: 1 / 3, unit: null }]],
    ['1,000 g', '1000 g', [{ amount: 1000, unit: 'g' }]],
    ['2 l', '2 l', [{ amount: 2, unit: 'l' }]],
    ['2l', '2 l', [{ amount: 2, unit: 'l' }]],
    ['2 L', '2 l', [{ amount: 2, unit: 'l' }]],
    ['500 ml', '500 ml', [{ amount: 500, unit: 'ml' }]],
    ['500ml', '500 ml', [{ amount: 500, unit: 'ml' }]],
    ['2 liters', '2 l', [{ amount: 2, unit: 'l' }]],
    ['2 litres', '2 l', [{ amount: 2, unit: 'l' }]],
    ['1.5kg', '1.5 kg', [{ amount: 1.5, unit: 'kg' }]],
    ['3 lbs', '3 lb', [{ amount: 3, unit: 'lb' }]],
    ['2 fl oz', '2 fl oz', [{ amount: 2, unit: 'fl oz' }]],
    ['2 tablespoons', '2 tbsp', [{ amount: 2, unit: 'tbsp' }]],
    ['3 T', '3 tbsp', [{ amount: 3, unit: 'tbsp' }]],
    ['1 t', '1 tsp', [{ amount: 1, unit: 'tsp' }]],
    ['1 cup', '1 cup', [{ amount: 1, unit: 'cup' }]],
    ['2 cups', '2 cups', [{ amount: 2, unit: 'cup' }]],
    ['two', '2', [{ amount: 2, unit: null }]],
    ['twenty-five', '25', [{ amount: 25, unit: null }]],
    ['twenty five', '25', [{ amount: 25, unit: null }]],
    ['one hundred and two', '102', [{ amount: 102, unit: null }]],
    ['a hundred', '100', [{ amount: 100, unit: null }]],
    ['a dozen', '12', [{ amount: 12, unit: null }]],
    ['dozen', '12', [{ amount: 12, unit: null }]],
    ['two dozen', '24', [{ amount: 24, unit: null }]],
    ['1 dozen', '12', [{ amount: 12, unit: null }]],
    ['half a dozen', '6', [{ amount: 6, unit: null }]],
    ['half dozen', '6', [{ amount: 6, unit: null }]],
    ['half', '0.5', [{ amount: 0.5, unit: null }]],
    ['a half', '0.5', [{ amount: 0.5, unit: null }]],
    ['a quarter', '0.25', [{ amount: 0.25, unit: null }]],
    ['three quarters', '0.75', [{ amount: 0.75, unit: null }]],
    ['two and a half kg', '2.5 kg', [{ amount: 2.5, unit: 'kg' }]],
    ['a couple', '2', [{ amount: 2, unit: null }]],
    ['a couple of bags', '2 bags', [{ amount: 2, unit: 'bag' }]],
    ['a', '1', [{ amount: 1, unit: null }]],
    ['an', '1', [{ amount: 1, unit: null }]],
    ['2 bottles', '2 bottles', [{ amount: 2, unit: 'bottle' }]],
    ['1 bottle', '1 bottle', [{ amount: 1, unit: 'bottle' }]],
    ['3 cans', '3 cans', [{ amount: 3, unit: 'can' }]],
    ['a bag', '1 bag', [{ amount: 1, unit: 'bag' }]],
    ['a loaf', '1 loaf', [{ amount: 1, unit: 'loaf' }]],
    ['2 loaves', '2 loaves', [{ amount: 2, unit: 'loaf' }]],
    ['two cartons', '2 cartons', [{ amount: 2, unit: 'carton' }]],
    ['a bunch', '1 bunch', [{ amount: 1, unit: 'bunch' }]],
    ['3 boxes', '3 boxes', [{ amount: 3, unit: 'box' }]],
    ['4 pcs', '4 pieces', [{ amount: 4, unit: 'piece' }]],
    ['2 pkgs', '2 packages', [{ amount: 2, unit: 'package' }]],
    ['a six-pack', '1 six-pack', [{ amount: 1, unit: 'six-pack' }]],
    ['a six pack', '1 six-pack', [{ amount: 1, unit: 'six-pack' }]],
    ['2 six packs', '2 six-packs', [{ amount: 2, unit: 'six-pack' }]],
    ['2 x 400 g', '800 g', [{ amount: 800, unit: 'g' }]],
    ['2x400g', '800 g', [{ amount: 800, unit: 'g' }]],
    ['2x', '2', [{ amount: 2, unit: null }]],
    ['x3', '3', [{ amount: 3, unit: null }]],
    ['about 2 kg', '2 kg', [{ amount: 2, unit: 'kg' }]],
    ['~2 kg', '2 kg', [{ amount: 2, unit: 'kg' }]],
    ['2 bottles + 1 kg', '2 bottles + 1 kg', [{ amount: 2, unit: 'bottle' }, { amount: 1, unit: 'kg' }]],
    ['1 l + 500 ml', '1.5 l', [{ amount: 1.5, unit: 'l' }]],
    ['2 bottles + 1 bottle', '3 bottles', [{ amount: 3, unit: 'bottle' }]],
    ['a few', 'a few', [{ amount: null, unit: null, approx: 'a few' }]],
    ['few', 'a few', [{ amount: null, unit: null, approx: 'a few' }]],
    ['several', 'several', [{ amount: null, unit: null, approx: 'several' }]],
    ['some', 'some', [{ amount: null, unit: null, approx: 'some' }]],
    ['a little', 'a little', [{ amount: null, unit: null, approx: 'a little' }]],
    ['lots', 'lots', [{ amount: null, unit: null, approx: 'lots' }]],
    ['a lot', 'lots', [{ amount: null, unit: null, approx: 'lots' }]],
    ['a few cans', 'a few cans', [{ amount: null, unit: 'can', approx: 'a few' }]],
    ['  2   L ', '2 l', [{ amount: 2, unit: 'l' }]],
    ['1000000', '1000000', [{ amount: 1_000_000, unit: null }]],
    ['0.001 kg', '0.001 kg', [{ amount: 0.001, unit: 'kg' }]],
  ];

  it.each(cases)('reads %j as %j', (input, text, parts) => {
    const quantity = parseQuantity(input);
    expect(quantity.text).toBe(text);
    expect(quantity.parts).toHaveLength(parts.length);
    quantity.parts.forEach((part, index) => {
      const want = parts[index];
      expect(part.unit).toBe(want?.unit);
      if (want?.amount === null) expect(part.amount).toBeNull();
      else expect(part.amount).toBeCloseTo(want?.amount ?? Number.NaN, 9);
      expect(part.approx).toBe(want?.approx);
    });
  });

  it('re-reads its own text to the same text', () => {
    for (const [input] of cases) {
      const { text } = parseQuantity(input);
      expect(parseQuantity(text).text).toBe(text);
    }
  });

  const malformed = ['-2', '0', '0.0001', '-1 kg', 'NaN', '', '   ', 'abc', '1/0', '2 abc', '2000000', '1000001', '1e3', 'Infinity',
    '2 bottles + ', '+', 'kg', 'of', '2 of', '1/2/3', 'x', 'a lot of', '2 kg 3', 'zero', `${'1'.repeat(101)}`, `2 ${'l '.repeat(60)}`];

  it.each(malformed)('rejects %j with a QuantityError', (input) => {
    let error: unknown;
    try {
      parseQuantity(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(QuantityError);
    expect(error).toBeInstanceOf(Error);
    expect((error as QuantityError).code).toBe('invalid:quantity');
    expect((error as QuantityError).name).toBe('QuantityError');
    expect((error as QuantityError).message).toMatch(/^Can't read the quantity ".*": .+\.$/s);
  });

  it('explains a negative amount the way the brief words it', () => {
    expect(() => parseQuantity('-2')).toThrow(
      'Can\'t read the quantity "-2": amounts must be positive numbers like "2", "1.5 l" or "a dozen".',
    );
  });

  it('names the word it does not know and the limits it enforces', () => {
    expect(() => parseQuantity('2 wombats')).toThrow(/"wombats" is not a unit Larder knows/);
    expect(() => parseQuantity('2000000')).toThrow(/at most 1,000,000/);
    expect(() => parseQuantity('1'.repeat(101))).toThrow(/at most 100 characters/);
  });

  it('keeps long inputs short in the message', () => {
    const error = (() => {
      try {
        parseQuantity('z'.repeat(99));
      } catch (caught) {
        return caught as QuantityError;
      }
      return null;
    })();
    expect(error?.message.length).toBeLessThan(160);
    expect(error?.input).toBe('z'.repeat(99));
  });

  it('tryParseQuantity returns null instead of throwing', () => {
    expect(tryParseQuantity('abc')).toBeNull();
    expect(tryParseQuantity('2 l')?.text).toBe('2 l');
  });

  it('either returns a quantity or throws a QuantityError, for any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 120 }), fc.string({ maxLength: 40, unit: 'grapheme' }), quantityLike()), (text) => {
        try {
          const quantity = parseQuantity(text);
          expect(quantity.parts.length).toBeGreaterThan(0);
          for (const part of quantity.parts) {
            if (part.amount !== null) {
              expect(part.amount).toBeGreaterThan(0);
              expect(part.amount).toBeLessThanOrEqual(1_000_000);
            }
          }
          expect(parseQuantity(quantity.text).text).toBe(quantity.text);
        } catch (error) {
          expect(error).toBeInstanceOf(QuantityError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

/** Strings built from quantity words, to reach deep into the reader. */
function quantityLike(): fc.Arbitrary<string> {
  const word = fc.constantFrom(
    '2', '1.5', '1,5', '1/2', '½', '-', '0', 'a', 'half', 'dozen', 'two', 'and', 'a', 'x', '+', 'of', 'l', 'ml', 'kg', 'g',
    'bottles', 'can', 'loaf', 'few', 'some', 'twenty', 'hundred', 'T', 't', '1e9', '999999', '1/0',
  );
  return fc.array(word, { maxLength: 8 }).map((words) => words.join(' '));
}

describe('readNumber', () => {
  it.each([
    [['half', 'a', 'dozen', 'eggs'], 0, { value: 6, end: 3 }],
    [['a', 'dozen', 'eggs'], 0, { value: 12, end: 2 }],
    [['two', 'and', 'a', 'half', 'hours'], 0, { value: 2.5, end: 4 }],
    [['an', 'hour'], 0, { value: 1, end: 1 }],
    [['milk', '3'], 1, { value: 3, end: 2 }],
    [['1', '1/2', 'cups'], 0, { value: 1.5, end: 2 }],
    [['thirty', 'minutes'], 0, { value: 30, end: 1 }],
  ] as const)('reads %j from %i', (words, start, expected) => {
    expect(readNumber(words, start)).toEqual(expected);
  });

  it('returns null where no number starts', () => {
    expect(readNumber(['milk'], 0)).toBeNull();
    expect(readNumber([], 0)).toBeNull();
  });
});

describe('formatQuantity', () => {
  it.each<[QuantityPart[], string]>([
    [[{ amount: 1, unit: 'bottle' }], '1 bottle'],
    [[{ amount: 2, unit: 'bottle' }], '2 bottles'],
    [[{ amount: 1.5, unit: 'loaf' }], '1.5 loaves'],
    [[{ amount: 3, unit: 'box' }], '3 boxes'],
    [[{ amount: 1.5, unit: 'l' }], '1.5 l'],
    [[{ amount: 1.5004, unit: 'l' }], '1.5 l'],
    [[{ amount: 2.123456, unit: 'kg' }], '2.123 kg'],
    [[{ amount: 5, unit: null }], '5'],
    [[{ amount: 2, unit: 'cup' }], '2 cups'],
    [[{ amount: 2, unit: 'bottle' }, { amount: 1, unit: 'kg' }], '2 bottles + 1 kg'],
    [[{ amount: null, unit: 'can', approx: 'a few' }], 'a few cans'],
    [[{ amount: null, unit: null }], 'some'],
    [[], ''],
  ])('writes %j as %j', (parts, text) => {
    expect(formatQuantity(parts)).toBe(text);
  });

  it('formats amounts without trailing zeros', () => {
    expect(formatAmount(1.5)).toBe('1.5');
    expect(formatAmount(2)).toBe('2');
    expect(formatAmount(0.1 + 0.2)).toBe('0.3');
    expect(formatAmount(-0.0001)).toBe('0');
  });
});

describe('mergeQuantities (DESIGN §1)', () => {
  it.each<[string | null, string | null, string | null]>([
    ['2', '3', '5'],
    ['1 l', '500 ml', '1.5 l'],
    ['500 ml', '1 l', '1.5 l'],
    ['500 ml', '250 ml', '750 ml'],
    ['2 bottles', '1 bottle', '3 bottles'],
    ['1 bottle', '1 bottle', '2 bottles'],
    ['2 bottles', '1 kg', '2 bottles + 1 kg'],
    ['1 kg', '2 bottles + 500 g', '1.5 kg + 2 bottles'],
    ['2 bottles + 1 kg', '1 bottle', '3 bottles + 1 kg'],
    [null, '2', '2'],
    ['2', null, '2'],
    [null, null, null],
    [null, '2 liters', '2 l'],
    ['12', 'a dozen', '24'],
    ['2', '1 bottle', '2 + 1 bottle'],
    ['1 l', '1 kg', '1 l + 1 kg'],
    ['1 lb', '100 g', '1.22 lb'],
    ['0.1 l', '0.2 l', '0.3 l'],
    ['1 cup', '1 l', '1.237 l'],
    ['a few', 'a few', 'a few'],
    ['a few', '2', 'a few + 2'],
    ['', '2', '2'],
  ])('%j + %j → %j', (existing, added, merged) => {
    expect(mergeQuantities(existing, added)).toBe(merged);
  });

  it('keeps a stored quantity it cannot read, adding the new one after it', () => {
    expect(mergeQuantities('a handful or so', '2')).toBe('a handful or so + 2');
    expect(mergeQuantities('a handful or so', null)).toBe('a handful or so');
  });

  it('rejects a bad added quantity and a merge past the limit', () => {
    expect(() => mergeQuantities('2', '-1')).toThrow(QuantityError);
    expect(() => mergeQuantities('900000', '200000')).toThrow(QuantityError);
  });

  it('adds the same unit like numbers do', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 100_000 }), (a, b) => {
        expect(mergeQuantities(`${a} ml`, `${b} ml`)).toBe(`${a + b} ml`);
        expect(mergeQuantities(`${a}`, `${b}`)).toBe(`${a + b}`);
      }),
    );
  });

  it('converts to the larger unit and back within rounding', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), (litres, millilitres) => {
        const merged = mergeQuantities(`${litres} l`, `${millilitres} ml`);
        expect(merged).toBe(`${formatAmount(litres + millilitres / 1000)} l`);
      }),
    );
  });
});

describe('singleAmount', () => {
  it('gives the stored amount and unit for one numeric part', () => {
    expect(singleAmount(parseQuantity('2 liters'))).toEqual({ amount: 2, unit: 'l' });
    expect(singleAmount(parseQuantity('a dozen'))).toEqual({ amount: 12, unit: null });
    expect(singleAmount(parseQuantity('2 bottles'))).toEqual({ amount: 2, unit: 'bottle' });
    expect(singleAmount(parseQuantity('1/3'))).toEqual({ amount: 0.333, unit: null });
  });

  it('is null for several parts or no number', () => {
    expect(singleAmount(parseQuantity('2 bottles + 1 kg'))).toBeNull();
    expect(singleAmount(parseQuantity('a few'))).toBeNull();
    expect(singleAmount({ text: '', parts: [] })).toBeNull();
  });
});

describe('helpers', () => {
  it('knows count units and whether they may stand before a name', () => {
    expect(countUnit('loaves')).toEqual({ unit: 'loaf', loose: true });
    expect(countUnit('Cans')).toEqual({ unit: 'can', loose: true });
    expect(countUnit('ears')).toEqual({ unit: 'ear', loose: false });
    expect(countUnit('onions')).toBeNull();
  });

  it('expands fraction characters before normalization can glue them', () => {
    expect(expandVulgarFractions('1½ cups')).toBe('1 1/2 cups');
    expect(expandVulgarFractions('¾')).toBe('3/4');
  });
});
