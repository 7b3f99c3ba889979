import type * as schema from '../db/schema.ts';
import { formatQuantity } from '../nlp/quantity.ts';

/** A list as tools and the bot show it. */
export interface ListView {
  id: number;
  name: string;
  kind: 'grocery' | 'task';
  store: string | null;
  isDefault: boolean;
}

/** An item as tools and the bot show it. */
export interface ItemView {
  id: number;
  listId: number;
  name: string;
  key: string;
  quantity: string | null;
  amount: number | null;
  unit: string | null;
  category: string | null;
  note: string | null;
  checked: boolean;
  checkedAt: string | null;
  addedBy: string | null;
  sourceRecipeId: number | null;
  dueAt: string | null;
  remindAt: string | null;
}

/** A pantry entry as tools and the bot show it. */
export interface PantryView {
  id: number;
  name: string;
  key: string;
  quantity: string | null;
  amount: number | null;
  unit: string | null;
  status: 'have' | 'low' | 'out';
  location: string | null;
  category: string | null;
  expiresOn: string | null;
  openedOn: string | null;
  preferredStore: string | null;
  note: string | null;
}

export function listView(list: schema.List): ListView {
  return { id: list.id, name: list.name, kind: list.kind, store: list.store, isDefault: list.isDefault };
}

export function itemView(item: schema.Item, categoryNames: ReadonlyMap<number, string>): ItemView {
  return {
    id: item.id,
    listId: item.listId,
    name: item.name,
    key: item.key,
    quantity: item.quantity,
    amount: item.amount,
    unit: item.unit,
    category: item.categoryId === null ? null : (categoryNames.get(item.categoryId) ?? null),
    note: item.note,
    checked: item.checked,
    checkedAt: item.checkedAt?.toISOString() ?? null,
    addedBy: item.addedBy,
    sourceRecipeId: item.sourceRecipeId,
    dueAt: item.dueAt?.toISOString() ?? null,
    remindAt: item.remindAt?.toISOString() ?? null,
  };
}

export function pantryView(entry: schema.PantryItem, categoryNames: ReadonlyMap<number, string>): PantryView {
  return {
    id: entry.id,
    name: entry.name,
    key: entry.key,
    quantity: entry.amount === null ? null : formatQuantity([{ amount: entry.amount, unit: entry.unit }]),
    amount: entry.amount,
    unit: entry.unit,
    status: entry.status,
    location: entry.location,
    category: entry.categoryId === null ? null : (categoryNames.get(entry.categoryId) ?? null),
    expiresOn: entry.expiresOn,
    openedOn: entry.openedOn,
    preferredStore: entry.preferredStore,
    note: entry.note,
  };
}

/** Category id → name, for rendering rows. */
export function categoryNameMap(categories: readonly schema.Category[]): Map<number, string> {
  return new Map(categories.map((category) => [category.id, category.name]));
}
