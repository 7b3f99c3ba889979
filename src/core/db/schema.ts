import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** Internal ids: 53 bits are plenty and stay plain numbers in JSON and tools. */
const id = () => bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity();
const ref = (name: string) => bigint(name, { mode: 'number' });
const timestamps = () => ({
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The tenant: everything else belongs to exactly one household. */
export const households = pgTable('households', {
  id: id(),
  /** Stable handle for the CLI and MCP (`--household family`); Telegram groups get `tg-<chat id>`. */
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull().default('UTC'),
  locale: text('locale').notNull().default('en'),
  /** Local time of the daily expiry digest, "HH:MM"; null turns it off. */
  digestTime: text('digest_time').default('08:00'),
  /** The local date the last digest went out, so each day gets one at most. */
  digestSentOn: date('digest_sent_on', { mode: 'string' }),
  ...timestamps(),
});

export const members = pgTable(
  'members',
  {
    id: id(),
    householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
    telegramUserId: bigint('telegram_user_id', { mode: 'bigint' }),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: ['owner', 'member'] }).notNull().default('member'),
    ...timestamps(),
  },
  (t) => [uniqueIndex('members_household_telegram_user').on(t.householdId, t.telegramUserId)],
);

/** MCP bearer tokens: only a SHA-256 hash is kept; the prefix lets people name a token to revoke it. */
export const apiTokens = pgTable('api_tokens', {
  id: id(),
  householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
  prefix: text('prefix').notNull(),
  hash: text('hash').notNull().unique(),
  label: text('label'),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  ...timestamps(),
});

/** A household's categories in aisle order. */
export const categories = pgTable(
  'categories',
  {
    id: id(),
    householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    ...timestamps(),
  },
  (t) => [uniqueIndex('categories_household_name').on(t.householdId, sql`lower(${t.name})`)],
);

/** Stage 1 of categorization: what this household chose (source `user`) or was told (`llm`) per item key. */
export const categoryMemory = pgTable(
  'category_memory',
  {
    id: id(),
    householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    categoryId: ref('category_id').notNull().references(() => categories.id, { onDelete: 'cascade' }),
    source: text('source', { enum: ['user', 'llm'] }).notNull(),
    ...timestamps(),
  },
  (t) => [uniqueIndex('category_memory_household_key').on(t.householdId, t.key)],
);

export const lists = pgTable(
  'lists',
  {
    id: id(),
    householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['grocery', 'task'] }).notNull().default('grocery'),
    store: text('store'),
    isDefault: boolean('is_default').notNull().default(false),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('lists_household_name').on(t.householdId, sql`lower(${t.name})`),
    // One default list per household, enforced by the database rather than by care.
    uniqueIndex('lists_one_default').on(t.householdId).where(sql`${t.isDefault}`),
  ],
);

export const items = pgTable(
  'items',
  {
    id: id(),
    householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
    listId: ref('list_id').notNull().references(() => lists.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    key: text('key').notNull(),
    quantity: text('quantity'),
    amount: doublePrecision('amount'),
    unit: text('unit'),
    categoryId: ref('category_id').references(() => categories.id, { onDelete: 'set null' }),
    note: text('note'),
    checked: boolean('checked').notNull().default(false),
    checkedAt: timestamp('checked_at', { withTimezone: true }),
    addedBy: text('added_by'),
    sourceRecipeId: ref('source_recipe_id').references(() => recipes.id, { onDelete: 'set null' }),
    dueAt: timestamp('due_at', { withTimezone: true }),
    remindAt: timestamp('remind_at', { withTimezone: true }),
    remindedAt: timestamp('reminded_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    // Adding an unchecked item again merges into this row; the index makes a duplicate impossible.
    uniqueIndex('items_unchecked_key').on(t.listId, t.key).where(sql`not ${t.checked}`),
    index('items_list').on(t.listId),
    index('items_remind').on(t.remindAt).where(sql`${t.remindedAt} is null`),
  ],
);

export const pantryItems = pgTable(
  'pantry_items',
  {
    id: id(),
    householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    key: text('key').notNull(),
    amount: doublePrecision('amount'),
    unit: text('unit'),
    status: text('status', { enum: ['have', 'low', 'out'] }).notNull().default('have'),
    location: text('location'),
    categoryId: ref('category_id').references(() => categories.id, { onDelete: 'set null' }),
    expiresOn: date('expires_on', { mode: 'string' }),
    openedOn: date('opened_on', { mode: 'string' }),
    preferredStore: text('preferred_store'),
    note: text('note'),
    ...timestamps(),
  },
  (t) => [uniqueIndex('pantry_household_key').on(t.householdId, t.key), index('pantry_expires').on(t.householdId, t.expiresOn)],
);

/** One ingredient line of a recipe, kept inside the recipe row (a recipe is edited and undone as one). */
export interface RecipeIngredient {
  name: string;
  key: string;
  amount: number | null;
  unit: string | null;
  note: string | null;
  optional: boolean;
}

export const recipes = pgTable(
  'recipes',
  {
    id: id(),
    householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    servings: integer('servings'),
    ingredients: jsonb('ingredients').$type<RecipeIngredient[]>().notNull().default([]),
    steps: jsonb('steps').$type<string[]>().notNull().default([]),
    tags: jsonb('tags').$type<string[]>().notNull().default([]),
    source: text('source'),
    rating: integer('rating'),
    notes: text('notes'),
    lastCookedAt: timestamp('last_cooked_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [uniqueIndex('recipes_household_title').on(t.householdId, sql`lower(${t.title})`)],
);

/**
 * Which pantry entry an ingredient key means in this household; `pantryKey` null remembers
 * "no match" so the same ingredient is not searched again. A user's correction has source `user`.
 */
export const ingredientMatches = pgTable(
  'ingredient_matches',
  {
    id: id(),
    householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
    ingredientKey: text('ingredient_key').notNull(),
    pantryKey: text('pantry_key'),
    source: text('source', { enum: ['auto', 'user'] }).notNull(),
    /** For automatic answers: which pantry (its set of keys) they were computed against; another pantry means ask again. */
    pantryFingerprint: text('pantry_fingerprint'),
    ...timestamps(),
  },
  (t) => [uniqueIndex('ingredient_matches_household_key').on(t.householdId, t.ingredientKey)],
);

/** A Telegram chat and the household it belongs to: a group is its own household. */
export const telegramChats = pgTable('telegram_chats', {
  chatId: bigint('chat_id', { mode: 'bigint' }).primaryKey(),
  householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
  type: text('type').notNull(),
  title: text('title'),
  ...timestamps(),
});

/** A Telegram user and the household their private chat acts for. */
export const telegramUsers = pgTable('telegram_users', {
  userId: bigint('user_id', { mode: 'bigint' }).primaryKey(),
  displayName: text('display_name').notNull(),
  householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
  ...timestamps(),
});

/** Short-lived codes a group shows so a member can join its household from a private chat. */
export const joinCodes = pgTable('join_codes', {
  code: text('code').primaryKey(),
  householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Telegram updates already handled: the same update delivered twice is handled once. */
export const processedUpdates = pgTable('processed_updates', {
  updateId: bigint('update_id', { mode: 'bigint' }).primaryKey(),
  processedAt: timestamp('processed_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One planned tool call of a preview. */
export interface PlannedAction {
  tool: string;
  args: Record<string, unknown>;
}

/** Changes shown before they are made (LLM-inferred deletes, bulk changes, voice, receipts); applied on confirm. */
export const previews = pgTable('previews', {
  id: uuid('id').primaryKey(),
  householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
  summary: text('summary').notNull(),
  actions: jsonb('actions').$type<PlannedAction[]>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  /** Set when confirmed or cancelled: a preview is used once. */
  settledAt: timestamp('settled_at', { withTimezone: true }),
  outcome: text('outcome', { enum: ['confirmed', 'cancelled'] }),
});

/** LLM usage per household and UTC day, for accounting and the daily budget. */
export const llmUsage = pgTable(
  'llm_usage',
  {
    householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    calls: integer('calls').notNull().default(0),
    promptTokens: bigint('prompt_tokens', { mode: 'number' }).notNull().default(0),
    completionTokens: bigint('completion_tokens', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.householdId, t.day] })],
);

/**
 * The journal: one row per change, written in the change's transaction. `before`/`after` are the
 * row as stored (column names as in the database), which is what undo puts back.
 */
export const events = pgTable(
  'events',
  {
    id: id(),
    householdId: ref('household_id').notNull().references(() => households.id, { onDelete: 'cascade' }),
    requestId: uuid('request_id').notNull(),
    door: text('door', { enum: ['bot', 'mcp', 'cli', 'system'] }).notNull(),
    actor: text('actor').notNull(),
    kind: text('kind').notNull(),
    entity: text('entity').notNull(),
    entityId: bigint('entity_id', { mode: 'number' }),
    summary: text('summary').notNull(),
    before: jsonb('before').$type<Record<string, unknown> | null>(),
    after: jsonb('after').$type<Record<string, unknown> | null>(),
    /** Set on events written by an undo: the request they reverse. */
    undoOf: uuid('undo_of'),
    undoneAt: timestamp('undone_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('events_household_id').on(t.householdId, t.id), index('events_request').on(t.requestId)],
);

export type Household = typeof households.$inferSelect;
export type Member = typeof members.$inferSelect;
export type ApiToken = typeof apiTokens.$inferSelect;
export type Category = typeof categories.$inferSelect;
export type CategoryMemory = typeof categoryMemory.$inferSelect;
export type List = typeof lists.$inferSelect;
export type Item = typeof items.$inferSelect;
export type PantryItem = typeof pantryItems.$inferSelect;
export type JournalEvent = typeof events.$inferSelect;
export type Recipe = typeof recipes.$inferSelect;
export type IngredientMatch = typeof ingredientMatches.$inferSelect;
export type TelegramChat = typeof telegramChats.$inferSelect;
export type Preview = typeof previews.$inferSelect;
