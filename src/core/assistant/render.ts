import type { AddResult, CheckResult } from '../services/lists.ts';
import type { ItemView, ListView, PantryView } from '../services/views.ts';

/** Escapes text for Telegram's HTML parse mode (the only three characters it needs). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Turns reply HTML into plain text for the terminal (`larder chat`). */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** "milk (1.5 l)". */
export function itemLabel(item: Pick<ItemView, 'name' | 'quantity'>): string {
  return item.quantity ? `${escapeHtml(item.name)} (${escapeHtml(item.quantity)})` : escapeHtml(item.name);
}

/** "1 list" / "2 lists". */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

/** "a, b and c". */
export function joinAnd(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1] ?? ''}`;
}

/**
 * A list grouped by category in aisle order (items arrive sorted), ticked items last and struck
 * through.
 */
export function renderList(list: ListView, items: readonly ItemView[]): string {
  const title = `🛒 <b>${escapeHtml(list.name)}</b>${list.store && list.store !== list.name ? ` (${escapeHtml(list.store)})` : ''}`;
  const open = items.filter((item) => !item.checked);
  const done = items.filter((item) => item.checked);
  if (items.length === 0) return `${title}\nNothing on it yet. Add something: “add milk and eggs”.`;
  const lines = [title];
  let category: string | null | undefined;
  for (const item of open) {
    if (item.category !== category) {
      category = item.category;
      lines.push(`\n<i>${escapeHtml(category ?? 'Other')}</i>`);
    }
    lines.push(`• ${itemLabel(item)}${item.note ? ` — ${escapeHtml(item.note)}` : ''}`);
  }
  if (open.length === 0) lines.push('Everything is ticked off. 🎉');
  if (done.length > 0) lines.push(`\n✓ ${done.map((item) => `<s>${escapeHtml(item.name)}</s>`).join(', ')}`);
  return lines.join('\n');
}

/** What an add did, in one message: each item with its category, merges shown. */
export function renderAdded(result: Pick<AddResult, 'list' | 'items'>): string {
  const added = result.items.filter((entry) => entry.action === 'added');
  const merged = result.items.filter((entry) => entry.action === 'merged');
  const lines: string[] = [];
  if (added.length > 0) {
    lines.push(`Added to <b>${escapeHtml(result.list.name)}</b>:`);
    for (const { item } of added) lines.push(`• ${itemLabel(item)} — ${escapeHtml(item.category ?? 'Other')}`);
  }
  if (merged.length > 0) {
    lines.push(added.length > 0 ? 'Already on it, now:' : `Already on <b>${escapeHtml(result.list.name)}</b>, now:`);
    for (const { item } of merged) lines.push(`• ${escapeHtml(item.name)} — ${escapeHtml(item.quantity ?? 'more')}`);
  }
  return lines.join('\n');
}

/** What a tick did, with what went into the pantry. */
export function renderChecked(result: CheckResult, checked: boolean): string {
  const names = joinAnd(result.items.map((item) => escapeHtml(item.name)));
  const lines = [checked ? `✓ Ticked off ${names}.` : `Put ${names} back on <b>${escapeHtml(result.list.name)}</b>.`];
  if (result.stocked.length > 0) lines.push('In the pantry now.');
  if (result.notFound.length > 0) lines.push(`Not on the list: ${joinAnd(result.notFound.map(escapeHtml))}.`);
  return lines.join(' ');
}

const STATUS_ICON: Record<PantryView['status'], string> = { have: '', low: ' ⚠️ low', out: ' ❌ out' };

/** The pantry, grouped by category. */
export function renderPantry(entries: readonly PantryView[]): string {
  if (entries.length === 0) return '🥫 The pantry is empty. Tell me what you have: “we have 2 kg of rice”.';
  const lines = ['🥫 <b>Pantry</b>'];
  let category: string | null | undefined;
  for (const entry of entries) {
    if (entry.category !== category) {
      category = entry.category;
      lines.push(`\n<i>${escapeHtml(category ?? 'Other')}</i>`);
    }
    const details = [entry.quantity, entry.location, entry.expiresOn ? `use by ${entry.expiresOn}` : null].filter(Boolean).map((part) => escapeHtml(String(part)));
    lines.push(`• ${escapeHtml(entry.name)}${details.length > 0 ? ` (${details.join(', ')})` : ''}${STATUS_ICON[entry.status]}`);
  }
  return lines.join('\n');
}

/** "today", "tomorrow", "in 3 days", "2 days ago". */
export function daysPhrase(daysLeft: number): string {
  if (daysLeft === 0) return 'today';
  if (daysLeft === 1) return 'tomorrow';
  if (daysLeft === -1) return 'yesterday';
  return daysLeft > 0 ? `in ${daysLeft} days` : `${-daysLeft} days ago`;
}

/** What expires soon, soonest first. */
export function renderExpiring(entries: ReadonlyArray<PantryView & { daysLeft: number }>, days: number): string {
  if (entries.length === 0) return `Nothing in the pantry expires within ${plural(days, 'day')}.`;
  const lines = [`⏳ <b>Expiring within ${plural(days, 'day')}</b>`];
  for (const entry of entries) {
    lines.push(`• ${escapeHtml(entry.name)} — ${entry.daysLeft < 0 ? 'expired' : 'expires'} ${daysPhrase(entry.daysLeft)}`);
  }
  return lines.join('\n');
}

/** Recipe suggestions with what each is missing. */
export function renderSuggestions(
  suggestions: ReadonlyArray<{ recipe: { title: string }; completeness: number; missing: string[]; usesExpiring: Array<{ name: string; daysLeft: number }> }>,
): string {
  if (suggestions.length === 0) return 'No recipes saved yet. Paste one into the chat and I’ll keep it.';
  const lines = ['🍳 <b>You could cook</b>'];
  suggestions.forEach((entry, index) => {
    const uses = entry.usesExpiring.length > 0 ? ` — uses ${joinAnd(entry.usesExpiring.map((use) => `${escapeHtml(use.name)} (expires ${daysPhrase(use.daysLeft)})`))}` : '';
    const missing = entry.missing.length === 0 ? 'you have everything' : `missing ${joinAnd(entry.missing.map(escapeHtml))}`;
    lines.push(`${index + 1}. <b>${escapeHtml(entry.recipe.title)}</b>${uses}; ${missing}`);
  });
  return lines.join('\n');
}
