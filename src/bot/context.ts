import type { Context } from 'grammy';
import type { Assistant } from '../core/assistant/assistant.ts';
import type { RequestContext } from '../core/context.ts';
import type { Core } from '../core/core.ts';
import type { Household, Member } from '../core/db/schema.ts';
import type { Logger } from '../core/log.ts';

/** What Larder adds to grammY's context; set by the bot's first middleware for every update it answers. */
export interface LarderFlavor {
  core: Core;
  assistant: Assistant;
  log: Logger;
  /** The household this chat acts for: a group's own, or the private user's. */
  household: Household;
  /** Who sent the update, as a member of `household`. */
  member: Member;
  /** A new request (one undo unit) acting as `member`. */
  request(): RequestContext;
}

/** The context every Larder handler sees. */
export type LarderContext = Context & LarderFlavor;
