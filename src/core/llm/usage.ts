import { and, eq, sql } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import * as schema from '../db/schema.ts';
import type { UsageStore } from './llm.ts';

/** LLM usage kept per household and UTC day in the database, so the daily budget holds across restarts and instances. */
export function createDbUsageStore(deps: { db: Db; clock: Clock }): UsageStore {
  const { db, clock } = deps;
  const today = () => clock.now().toISOString().slice(0, 10);
  return {
    async usedToday(householdId) {
      const [row] = await db
        .select({ used: sql<number>`${schema.llmUsage.promptTokens} + ${schema.llmUsage.completionTokens}`.mapWith(Number) })
        .from(schema.llmUsage)
        .where(and(eq(schema.llmUsage.householdId, householdId), eq(schema.llmUsage.day, today())));
      return row?.used ?? 0;
    },
    async record(householdId, usage) {
      await db
        .insert(schema.llmUsage)
        .values({ householdId, day: today(), calls: 1, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens })
        .onConflictDoUpdate({
          target: [schema.llmUsage.householdId, schema.llmUsage.day],
          set: {
            calls: sql`${schema.llmUsage.calls} + 1`,
            promptTokens: sql`${schema.llmUsage.promptTokens} + ${usage.promptTokens}`,
            completionTokens: sql`${schema.llmUsage.completionTokens} + ${usage.completionTokens}`,
          },
        });
    },
  };
}
