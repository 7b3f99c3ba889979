import { randomUUID } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { RequestContext } from '../context.ts';
import type { Core } from '../core.ts';
import * as schema from '../db/schema.ts';
import { LarderError } from '../errors.ts';
import { invokeTool, TOOLS_BY_NAME } from '../tools/invoke.ts';

/** How long a preview can be confirmed. */
const PREVIEW_TTL_MS = 24 * 60 * 60 * 1000;

export interface PreviewService {
  /** Stores planned tool calls; nothing changes until `confirm`. */
  create(householdId: number, summary: string, actions: schema.PlannedAction[]): Promise<string>;
  /**
   * Applies a preview's actions in one request (one undo reverses them all). A preview is used
   * once; confirming it again, or after it expired, or from another household, is an error.
   */
  confirm(ctx: RequestContext, previewId: string): Promise<{ summary: string; results: Array<{ tool: string; ok: boolean; error?: string }> }>;
  cancel(ctx: RequestContext, previewId: string): Promise<{ summary: string }>;
}

export function createPreviewService(deps: { core: Core }): PreviewService {
  const { core } = deps;
  const { db, clock } = core;

  async function settle(ctx: RequestContext, previewId: string, outcome: 'confirmed' | 'cancelled') {
    // Atomically claim it: two presses of Confirm apply it once.
    const [row] = await db
      .update(schema.previews)
      .set({ settledAt: clock.now(), outcome })
      .where(
        and(
          eq(schema.previews.id, previewId),
          eq(schema.previews.householdId, ctx.householdId),
          isNull(schema.previews.settledAt),
          gt(schema.previews.expiresAt, clock.now()),
        ),
      )
      .returning();
    if (row) return row;
    const [existing] = await db
      .select()
      .from(schema.previews)
      .where(and(eq(schema.previews.id, previewId), eq(schema.previews.householdId, ctx.householdId)));
    if (!existing) throw new LarderError('not_found:preview', 'That preview does not exist (or belongs to another household).');
    if (existing.outcome) throw new LarderError('conflict:preview', `That was already ${existing.outcome}.`);
    throw new LarderError('conflict:preview', 'That preview expired; ask again.');
  }

  return {
    async create(householdId, summary, actions) {
      const id = randomUUID();
      await db.insert(schema.previews).values({
        id,
        householdId,
        summary,
        actions,
        createdAt: clock.now(),
        expiresAt: new Date(clock.now().getTime() + PREVIEW_TTL_MS),
      });
      return id;
    },

    async confirm(ctx, previewId) {
      const preview = await settle(ctx, previewId, 'confirmed');
      const results: Array<{ tool: string; ok: boolean; error?: string }> = [];
      for (const action of preview.actions) {
        const tool = TOOLS_BY_NAME.get(action.tool);
        if (!tool) {
          results.push({ tool: action.tool, ok: false, error: `Unknown action ${action.tool}.` });
          continue;
        }
        const outcome = await invokeTool(tool, { core, request: ctx }, action.args, core.log);
        results.push(outcome.ok ? { tool: action.tool, ok: true } : { tool: action.tool, ok: false, error: outcome.error });
      }
      if (results.length > 0 && results.every((result) => !result.ok)) {
        // Nothing applied: let it be confirmed again after the cause is fixed.
        await db.update(schema.previews).set({ settledAt: null, outcome: null }).where(eq(schema.previews.id, preview.id));
      }
      return { summary: preview.summary, results };
    },

    async cancel(ctx, previewId) {
      const preview = await settle(ctx, previewId, 'cancelled');
      return { summary: preview.summary };
    },
  };
}
