import { createCatalog } from './catalog/catalog.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Db } from './db/client.ts';
import { silentLogger, type Logger } from './log.ts';
import { createCategoryService, type CatalogLookup, type LlmCategorize } from './services/categories.ts';
import { createHouseholdService } from './services/households.ts';
import { createJournal } from './services/journal.ts';
import { createListService } from './services/lists.ts';
import { createPantryService } from './services/pantry.ts';
import { createRecipeService } from './services/recipes.ts';
import { createTokenService } from './services/tokens.ts';

/** What the core is built from: nothing is read from the environment or opened here. */
export interface CoreDeps {
  db: Db;
  clock?: Clock;
  log?: Logger;
  /** The built-in catalog; loaded from the shipped data when omitted. */
  catalog?: CatalogLookup;
  /** Categorization stage 3; without it, unknown items go to Other. */
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
  const journal = createJournal({ db, clock });
  const households = createHouseholdService({ db, clock, journal });
  const tokens = createTokenService({ db, clock });
  const categories = createCategoryService({ db, clock, log, journal, catalog, llmCategorize: deps.llmCategorize });
  const lists = createListService({ db, clock, journal, categories });
  const timeZoneOf = async (householdId: number) => (await households.get(householdId)).timeZone;
  const pantry = createPantryService({ db, clock, journal, categories, lists, timeZoneOf });
  const recipes = createRecipeService({ db, clock, journal, lists, timeZoneOf });
  return { db, clock, log, catalog, journal, households, tokens, categories, lists, pantry, recipes };
}

export type Core = ReturnType<typeof createCore>;
