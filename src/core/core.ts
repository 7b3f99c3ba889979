import { createCatalog } from './catalog/catalog.ts';
import { systemClock, type Clock } from './clock.ts';
import type { ChangeFeed } from './db/changes.ts';
import type { Db } from './db/client.ts';
import { createReadCache } from './db/read-cache.ts';
import { silentLogger, type Logger } from './log.ts';
import { createCategoryService, type CatalogLookup, type LlmCategorize } from './services/categories.ts';
import { createHouseholdService } from './services/households.ts';
import { createJournal } from './services/journal.ts';
import { createListService } from './services/lists.ts';
import { createPantryService } from './services/pantry.ts';
import { createRecipeService } from './services/recipes.ts';
import { createTokenService } from './services/tokens.ts';
import { createTransferService } from './services/transfer.ts';
import type { Llm } from './llm/llm.ts';
import { createLlmCategorize, createLlmRecipeReader } from './llm/understand.ts';

/** What the core is built from: nothing is read from the environment or opened here. */
export interface CoreDeps {
  db: Db;
  /** Where changes to the rows kept in memory are heard (`Database.changes`); without it nothing is kept. */
  changes?: ChangeFeed | null;
  clock?: Clock;
  log?: Logger;
  /** The built-in catalog; loaded from the shipped data when omitted. */
  catalog?: CatalogLookup;
  /** The LLM, when one is configured: categorization stage 3 and recipe reading use it. */
  llm?: Llm | null;
  /** Overrides categorization stage 3 (tests); by default it is built on `llm`. */
  llmCategorize?: LlmCategorize;
}

/**
 * Builds every service on one database. The doors (MCP, bot, CLI) call these and nothing else.
 *
 * @example const core = createCore({ db, clock: systemClock, log });
 */
export function createCore(deps: CoreDeps) {
  const { db } = deps;
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? silentLogger();
  const catalog = deps.catalog ?? createCatalog();
  const cache = createReadCache({ changes: deps.changes ?? null });
  const journal = createJournal({ db, clock, cache });
  const households = createHouseholdService({ db, clock, journal });
  const tokens = createTokenService({ db, clock, cache });
  const llm = deps.llm ?? null;
  const llmCategorize = deps.llmCategorize ?? (llm ? createLlmCategorize(llm) : undefined);
  const categories = createCategoryService({ db, clock, log, journal, catalog, cache, llmCategorize });
  const lists = createListService({ db, clock, journal, categories, cache });
  const timeZoneOf = async (householdId: number) => (await households.get(householdId)).timeZone;
  const pantry = createPantryService({ db, clock, journal, categories, lists, timeZoneOf });
  const recipes = createRecipeService({ db, clock, journal, lists, timeZoneOf, readRecipe: llm ? createLlmRecipeReader(llm) : undefined });
  const transfer = createTransferService({ db, clock, cache });
  return { db, clock, log, llm, catalog, cache, journal, households, tokens, categories, lists, pantry, recipes, transfer };
}

export type Core = ReturnType<typeof createCore>;
