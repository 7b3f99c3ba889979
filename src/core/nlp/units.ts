import convert from 'convert-units';

/** What a unit measures. Count units ("can", "bottle") only combine with the same unit. */
export type Dimension = 'volume' | 'mass' | 'count';

/** A measurement unit we recognise, in the short form Larder writes. */
export interface UnitInfo {
  /** Canonical short form: "l", "ml", "g", "kg", "tbsp", "cup", … */
  unit: string;
  dimension: 'volume' | 'mass';
  /** The unit's name in convert-units, which does the arithmetic. */
  convertId: convert.Unit;
}

const MEASURES: ReadonlyArray<{ unit: string; dimension: 'volume' | 'mass'; convertId: convert.Unit; aliases: string[] }> = [
  { unit: 'ml', dimension: 'volume', convertId: 'ml', aliases: ['ml', 'mls', 'milliliter', 'milliliters', 'millilitre', 'millilitres'] },
  { unit: 'cl', dimension: 'volume', convertId: 'cl', aliases: ['cl', 'centiliter', 'centiliters', 'centilitre', 'centilitres'] },
  { unit: 'dl', dimension: 'volume', convertId: 'dl', aliases: ['dl', 'deciliter', 'deciliters', 'decilitre', 'decilitres'] },
  { unit: 'l', dimension: 'volume', convertId: 'l', aliases: ['l', 'ltr', 'ltrs', 'liter', 'liters', 'litre', 'litres'] },
  { unit: 'tsp', dimension: 'volume', convertId: 'tsp', aliases: ['tsp', 'tsps', 't', 'teaspoon', 'teaspoons'] },
  { unit: 'tbsp', dimension: 'volume', convertId: 'Tbs', aliases: ['tbsp', 'tbsps', 'tbs', 'tbl', 'tblsp', 'T', 'tablespoon', 'tablespoons'] },
  { unit: 'fl oz', dimension: 'volume', convertId: 'fl-oz', aliases: ['fl oz', 'fl. oz', 'fl. oz.', 'floz', 'fluid ounce', 'fluid ounces'] },
  { unit: 'cup', dimension: 'volume', convertId: 'cup', aliases: ['cup', 'cups', 'c'] },
  { unit: 'pt', dimension: 'volume', convertId: 'pnt', aliases: ['pt', 'pint', 'pints'] },
  { unit: 'qt', dimension: 'volume', convertId: 'qt', aliases: ['qt', 'quart', 'quarts'] },
  { unit: 'gal', dimension: 'volume', convertId: 'gal', aliases: ['gal', 'gallon', 'gallons'] },
  { unit: 'mg', dimension: 'mass', convertId: 'mg', aliases: ['mg', 'milligram', 'milligrams', 'milligramme', 'milligrammes'] },
  { unit: 'g', dimension: 'mass', convertId: 'g', aliases: ['g', 'gr', 'grs', 'gram', 'grams', 'gramme', 'grammes'] },
  { unit: 'kg', dimension: 'mass', convertId: 'kg', aliases: ['kg', 'kgs', 'kilo', 'kilos', 'kilogram', 'kilograms', 'kilogramme', 'kilogrammes'] },
  { unit: 'oz', dimension: 'mass', convertId: 'oz', aliases: ['oz', 'ounce', 'ounces'] },
  { unit: 'lb', dimension: 'mass', convertId: 'lb', aliases: ['lb', 'lbs', 'pound', 'pounds'] },
];

const BY_ALIAS = new Map<string, UnitInfo>();
for (const { aliases, ...info } of MEASURES) {
  for (const alias of aliases) {
    // "T" (tablespoon) and "t" (teaspoon) differ only by case, as cooks write them.
    BY_ALIAS.set(alias === 'T' || alias === 't' ? alias : alias.toLowerCase(), info);
  }
}

/**
 * The measurement unit a word names, or null for anything else (a count noun like "cans" is null).
 *
 * @example measureUnit('Tablespoons') // { unit: 'tbsp', dimension: 'volume', convertId: 'Tbs' }
 */
export function measureUnit(word: string): UnitInfo | null {
  const trimmed = word.trim().replace(/\.$/, '');
  if (trimmed === 'T' || trimmed === 't') return BY_ALIAS.get(trimmed) ?? null;
  return BY_ALIAS.get(trimmed.toLowerCase()) ?? null;
}

/** Every spelling of a measurement unit, longest first, for building matchers. */
export function measureUnitAliases(): string[] {
  return [...BY_ALIAS.keys()].sort((a, b) => b.length - a.length);
}

/** The dimension of a canonical unit: measurement units are volume or mass, everything else counts. */
export function dimensionOf(unit: string | null): Dimension {
  if (unit === null) return 'count';
  return measureUnit(unit)?.dimension ?? 'count';
}

/**
 * Converts an amount between two measurement units of the same dimension; null when they cannot be
 * converted (different dimensions, or either is a count unit).
 *
 * @example convertAmount(500, 'ml', 'l') // 0.5
 */
export function convertAmount(amount: number, from: string, to: string): number | null {
  const source = measureUnit(from);
  const target = measureUnit(to);
  if (source === null || target === null || source.dimension !== target.dimension) return null;
  if (source.unit === target.unit) return amount;
  return convert(amount).from(source.convertId).to(target.convertId);
}

/** The size of one unit in the dimension's base (ml or g), used to pick the larger of two units. */
export function unitMagnitude(unit: string): number | null {
  const info = measureUnit(unit);
  if (info === null) return null;
  return convertAmount(1, info.unit, info.dimension === 'volume' ? 'ml' : 'g');
}
