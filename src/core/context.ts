import { randomUUID } from 'node:crypto';

/** The door a change came through; recorded on every journal event. */
export type Door = 'bot' | 'mcp' | 'cli' | 'system';

/** Who is acting: recorded on every change, shown in history ("added by Jon"). */
export interface Actor {
  door: Door;
  /** A display name: the Telegram member's name, "assistant" for MCP, "cli". */
  name: string;
  memberId?: number;
}

/**
 * Everything a service needs to know about the request it serves. All changes made with one
 * context share its `requestId`, so one undo can reverse them together.
 */
export interface RequestContext {
  householdId: number;
  actor: Actor;
  requestId: string;
}

/** Starts a new request for a household. */
export function newRequest(householdId: number, actor: Actor): RequestContext {
  return { householdId, actor, requestId: randomUUID() };
}
