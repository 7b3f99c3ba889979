import { Composer } from 'grammy';
import { escapeHtml } from '../../core/assistant/render.ts';
import type { Household } from '../../core/db/schema.ts';
import type { HouseholdSettings } from '../../core/services/households.ts';
import type { LarderContext } from '../context.ts';
import { sendReply, say } from '../reply.ts';

const USAGE = 'Change them with /settings timezone Europe/Stockholm · /settings digest 07:30 · /settings digest off';

/** "8:00" → "08:00"; "off" → null; anything else stays as typed (the core says what is wrong). */
function digestValue(text: string): string | null {
  if (/^(off|none|no|never)$/i.test(text)) return null;
  const match = /^(\d{1,2})[:.](\d{2})$/.exec(text);
  return match ? `${match[1]?.padStart(2, '0')}:${match[2]}` : text;
}

/** What /settings can change, read from its arguments; a string is the usage to show instead. */
export function parseSettings(args: string): HouseholdSettings | string | null {
  const [what = '', ...rest] = args.trim().split(/\s+/);
  const value = rest.join(' ');
  if (what === '') return null;
  if (/^(timezone|time-zone|tz|zone)$/i.test(what) && value !== '') return { timeZone: value };
  if (/^digest$/i.test(what) && value !== '') return { digestTime: digestValue(value) };
  return `I can change the time zone and the digest. ${USAGE}`;
}

function renderSettings(household: Household): string {
  return [
    `⚙️ <b>${escapeHtml(household.name)}</b>`,
    `Time zone: ${escapeHtml(household.timeZone)}`,
    `Daily digest of what expires soon: ${household.digestTime ? `at ${escapeHtml(household.digestTime)}` : 'off'}`,
    '',
    USAGE,
  ].join('\n');
}

/** /settings: the household's time zone and digest time. */
export function settingsFeature(): Composer<LarderContext> {
  const composer = new Composer<LarderContext>();

  composer.command('settings', async (ctx) => {
    const change = parseSettings(ctx.match);
    if (change === null) {
      await sendReply(ctx, say(renderSettings(ctx.household)));
      return;
    }
    if (typeof change === 'string') {
      await sendReply(ctx, say(escapeHtml(change)));
      return;
    }
    const request = ctx.request();
    const updated = await ctx.core.households.update(request, change);
    const what =
      change.timeZone !== undefined
        ? `Time zone is now ${escapeHtml(updated.timeZone)}.`
        : updated.digestTime
          ? `The daily digest comes at ${escapeHtml(updated.digestTime)} (${escapeHtml(updated.timeZone)}).`
          : 'The daily digest is off.';
    await sendReply(ctx, { understood: true, html: `⚙️ ${what}`, undoRequestId: request.requestId });
  });

  return composer;
}
