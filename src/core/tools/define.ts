import type { z } from 'zod';
import type { RequestContext } from '../context.ts';
import type { Core } from '../core.ts';

/** The hints every tool states explicitly (DESIGN §4): clients decide on confirmation from them. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** What a tool handler gets: the core and the request it acts in (household, actor, request id). */
export interface ToolContext {
  core: Core;
  request: RequestContext;
}

/**
 * One capability, described once and served by both doors: the MCP server registers it, the
 * agent turns it into an OpenAI function tool.
 */
export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** Written for an AI assistant: what it does, when to use it, what it returns. */
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  handler(ctx: ToolContext, input: z.output<I>): Promise<z.input<O>>;
}

/** Declares a tool with its types inferred from the schemas. */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(definition: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return definition;
}

/** Annotations of a tool that only reads. */
export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
/** Annotations of a tool that adds or changes without deleting. */
export const ADDITIVE: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };
/** Annotations of a tool that deletes or overwrites. */
export const DESTRUCTIVE: ToolAnnotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false };
