import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, like, sql } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import { preparedQuery, type Db } from '../db/client.ts';
import type { ReadCache } from '../db/read-cache.ts';
import * as schema from '../db/schema.ts';
import { LarderError } from '../errors.ts';

const TOKEN_PREFIX = 'lrd_';
/** How much of a token is kept in clear, to name it when revoking: "lrd_" plus 8 characters. */
const SHOWN_PREFIX_LENGTH = 12;
const TOKEN_SHAPE = /^lrd_[A-Za-z0-9_-]{32,}$/;

export interface TokenInfo {
  id: number;
  householdId: number;
  prefix: string;
  label: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface TokenService {
  /** A new token for the household; the only time its clear text exists. */
  create(householdId: number, label?: string): Promise<{ token: string; info: TokenInfo }>;
  /** The household a token belongs to, or null for an unknown, malformed or revoked token. */
  verify(token: string): Promise<{ householdId: number; tokenId: number } | null>;
  /** Revokes the tokens whose clear prefix starts with `prefix` (at least 8 characters). */
  revoke(prefix: string): Promise<TokenInfo[]>;
  list(householdId: number): Promise<TokenInfo[]>;
}

/** SHA-256 of the token: tokens are long random strings, so a slow hash would add nothing. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function createTokenService(deps: { db: Db; clock: Clock; cache: ReadCache }): TokenService {
  const { db, clock, cache } = deps;
  // Every MCP request runs this first.
  const activeByHash = preparedQuery(() =>
    db
      .select()
      .from(schema.apiTokens)
      .where(and(eq(schema.apiTokens.hash, sql.placeholder('hash')), isNull(schema.apiTokens.revokedAt)))
      .prepare('larder_active_token_by_hash'),
  );

  const toInfo = (row: schema.ApiToken): TokenInfo => ({
    id: row.id,
    householdId: row.householdId,
    prefix: row.prefix,
    label: row.label,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  });

  return {
    async create(householdId, label) {
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const now = clock.now();
      const [row] = await db
        .insert(schema.apiTokens)
        .values({ householdId, prefix: token.slice(0, SHOWN_PREFIX_LENGTH), hash: hashToken(token), label: label ?? null, createdAt: now, updatedAt: now })
        .returning();
      if (!row) throw new LarderError('conflict:token', 'Could not store the token.');
      return { token, info: toInfo(row) };
    },

    async verify(token) {
      if (!TOKEN_SHAPE.test(token)) return null;
      // Lookup by hash: the secret never meets a byte-by-byte comparison that could leak timing.
      // Kept in memory until its household changes: revoking a token is such a change (drizzle/0004).
      const hash = hashToken(token);
      const active = await cache.find(`token:${hash}`, async () => {
        const [row] = await activeByHash().execute({ hash });
        return row ? { householdId: row.householdId, tokenId: row.id, lastUsedAt: row.lastUsedAt } : null;
      });
      if (!active) return null;
      const now = clock.now();
      // Last-used is informative; writing it at most once a minute keeps verification cheap.
      if (active.lastUsedAt === null || now.getTime() - active.lastUsedAt.getTime() > 60_000) {
        active.lastUsedAt = now;
        await db.update(schema.apiTokens).set({ lastUsedAt: now }).where(eq(schema.apiTokens.id, active.tokenId));
      }
      return { householdId: active.householdId, tokenId: active.tokenId };
    },

    async revoke(prefix) {
      if (prefix.length < 8) {
        throw new LarderError('invalid:token', 'Give at least the first 8 characters of the token to revoke (e.g. lrd_AbCd).');
      }
      const rows = await db
        .update(schema.apiTokens)
        .set({ revokedAt: clock.now() })
        .where(and(like(schema.apiTokens.prefix, `${escapeLike(prefix.slice(0, SHOWN_PREFIX_LENGTH))}%`), isNull(schema.apiTokens.revokedAt)))
        .returning();
      if (rows.length === 0) throw new LarderError('not_found:token', `No active token starts with "${prefix}".`);
      // Refused by this process from its next request on; other processes hear it through the change feed.
      for (const row of rows) cache.forget(row.householdId);
      return rows.map(toInfo);
    },

    async list(householdId) {
      const rows = await db.select().from(schema.apiTokens).where(eq(schema.apiTokens.householdId, householdId));
      return rows.map(toInfo);
    },
  };
}

/** Escapes LIKE's wildcards so a prefix is matched literally. */
function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, '\\$&');
}
