import { z } from 'zod';
import { isLarderError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ToolContext, ToolDefinition } from './define.ts';
import { TOOLS } from './index.ts';

/** A tool's outcome: its validated output, or an error message written for whoever called it. */
export type ToolOutcome = { ok: true; output: Record<string, unknown> } | { ok: false; error: string; code: string };

/** The registry by name. */
export const TOOLS_BY_NAME: ReadonlyMap<string, ToolDefinition> = new Map(TOOLS.map((tool) => [tool.name, tool]));

/**
 * Runs one tool with untrusted arguments: input validated, output checked against the tool's
 * schema, and any failure turned into a message an assistant (or a person) can act on.
 */
export async function invokeTool(tool: ToolDefinition, ctx: ToolContext, args: unknown, log: Logger): Promise<ToolOutcome> {
  try {
    const input = tool.input.parse(args ?? {});
    const output = tool.output.parse(await tool.handler(ctx, input));
    return { ok: true, output };
  } catch (error) {
    return { ok: false, error: errorText(error, tool, log), code: isLarderError(error) ? error.code : error instanceof z.ZodError ? 'invalid:arguments' : 'internal' };
  }
}

/** What a caller reads when a tool fails: the reason, never a stack trace. */
export function errorText(error: unknown, tool: ToolDefinition, log: Logger): string {
  if (isLarderError(error)) {
    const candidates = error.details?.candidates;
    const listed = Array.isArray(candidates) && candidates.length > 0 && !error.message.includes(String(candidates[0]));
    return `${error.message}${listed ? ` Candidates: ${candidates.join(', ')}.` : ''} (${error.code})`;
  }
  if (error instanceof z.ZodError) {
    const problems = error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
    return `Invalid arguments for ${tool.name}: ${problems}. Nothing was changed.`;
  }
  log.error({ err: error, tool: tool.name }, 'tool failed');
  return `${tool.name} failed on Larder's side; nothing was changed. Try again, or use another tool.`;
}
