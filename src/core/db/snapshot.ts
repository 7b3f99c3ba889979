import { getTableColumns, getTableName, type Table } from 'drizzle-orm';

/** A row as the database names its columns, JSON-safe: what the journal stores and undo restores. */
export type Snapshot = Record<string, unknown>;

/**
 * Turns a drizzle row (camelCase properties, Dates, bigints) into a snapshot keyed by column name.
 * PostgreSQL reads it back with `jsonb_populate_record`, so types round-trip without a codec per table.
 */
export function toSnapshot(table: Table, row: Record<string, unknown>): Snapshot {
  const snapshot: Snapshot = {};
  for (const [property, column] of Object.entries(getTableColumns(table))) {
    const value = row[property];
    if (value === undefined) continue;
    snapshot[column.name] =
      value instanceof Date ? value.toISOString() : typeof value === 'bigint' ? value.toString() : value;
  }
  return snapshot;
}

/** The database names of a table's columns, in declaration order. */
export function columnNames(table: Table): string[] {
  return Object.values(getTableColumns(table)).map((column) => column.name);
}

export { getTableName };
