/**
 * The categories every new household starts with, in aisle order: lists render grouped in this
 * order, and the built-in catalog maps items only to these names.
 *
 * @example DEFAULT_CATEGORIES[0] // 'Produce'
 */
export const DEFAULT_CATEGORIES = [
  'Produce',
  'Dairy & Eggs',
  'Meat & Seafood',
  'Bakery',
  'Pantry',
  'Frozen',
  'Beverages',
  'Snacks',
  'Household',
  'Personal Care',
  'Other',
] as const;

/** One of the default category names. */
export type DefaultCategory = (typeof DEFAULT_CATEGORIES)[number];

const DEFAULT_CATEGORY_SET: ReadonlySet<string> = new Set(DEFAULT_CATEGORIES);

/**
 * True when `value` is exactly one of the default category names (case and spacing matter).
 *
 * @example isDefaultCategory('Frozen') // true
 */
export function isDefaultCategory(value: string): value is DefaultCategory {
  return DEFAULT_CATEGORY_SET.has(value);
}
