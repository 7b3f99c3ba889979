import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../src/core/db/schema.ts';
import { hashToken } from '../../src/core/services/tokens.ts';
import { isLarderError } from '../../src/core/errors.ts';
import { testCore, type TestCore } from '../support/core.ts';

let t: TestCore;
beforeAll(async () => {
  t = await testCore();
});
afterAll(async () => {
  await t.close();
});

describe('API tokens', () => {
  it('creates a token that is stored only as a hash and selects its household', async () => {
    const family = await t.core.households.ensure('family');
    const { token, info } = await t.core.tokens.create(family.id, 'claude desktop');
    expect(token).toMatch(/^lrd_[A-Za-z0-9_-]{32,}$/);
    expect(info.prefix).toBe(token.slice(0, 12));
    const rows = await t.core.db.select().from(schema.apiTokens);
    expect(rows.map((row) => row.hash)).toContain(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(await t.core.tokens.verify(token)).toEqual({ householdId: family.id, tokenId: info.id });
    const [listed] = await t.core.tokens.list(family.id);
    expect(listed?.lastUsedAt).not.toBeNull();
  });

  it('refuses unknown, malformed and revoked tokens', async () => {
    const family = await t.core.households.ensure('family2');
    const { token } = await t.core.tokens.create(family.id);
    expect(await t.core.tokens.verify(`${token}x`)).toBeNull();
    expect(await t.core.tokens.verify('lrd_short')).toBeNull();
    expect(await t.core.tokens.verify('')).toBeNull();
    const revoked = await t.core.tokens.revoke(token.slice(0, 10));
    expect(revoked).toHaveLength(1);
    expect(await t.core.tokens.verify(token)).toBeNull();
    const none = await t.core.tokens.revoke(token.slice(0, 12)).catch((error: unknown) => error);
    expect(isLarderError(none, 'not_found:token')).toBe(true);
    const tooShort = await t.core.tokens.revoke('lrd_').catch((error: unknown) => error);
    expect(isLarderError(tooShort, 'invalid:token')).toBe(true);
  });

  it('creates a household once even when asked twice at the same time', async () => {
    const [a, b] = await Promise.all([t.core.households.ensure('twins'), t.core.households.ensure('twins')]);
    expect(a.id).toBe(b.id);
    const categories = await t.core.categories.list(a.id);
    expect(categories.map((category) => category.name)).toEqual([
      'Produce', 'Dairy & Eggs', 'Meat & Seafood', 'Bakery', 'Pantry', 'Frozen', 'Beverages', 'Snacks', 'Household', 'Personal Care', 'Other',
    ]);
  });
});
