import type { BotCommand } from 'grammy/types';
import { escapeHtml } from '../core/assistant/render.ts';

/** One command: what setMyCommands publishes and /help shows. */
export interface CommandInfo {
  command: string;
  description: string;
  example: string;
}

/** Every command the bot answers, in the order /help lists them. */
export const COMMANDS: readonly CommandInfo[] = [
  { command: 'list', description: 'Show a list, with a ✓ button per item', example: '/list costco' },
  { command: 'lists', description: 'All lists and how much is left on each', example: '/lists' },
  { command: 'add', description: 'Add items to a list', example: '/add 2 l milk, eggs and bread' },
  { command: 'remove', description: 'Take items off a list', example: '/remove eggs' },
  { command: 'pantry', description: 'What we have at home', example: '/pantry' },
  { command: 'out', description: 'Mark pantry items as run out', example: '/out rice' },
  { command: 'low', description: 'Mark pantry items as running low', example: '/low olive oil' },
  { command: 'expiring', description: 'What expires in the next 3 days', example: '/expiring' },
  { command: 'recipes', description: 'Saved recipes', example: '/recipes' },
  { command: 'recipe', description: 'One recipe, with what we have', example: '/recipe lasagna' },
  { command: 'missing', description: 'Put what a recipe needs on the list', example: '/missing lasagna 6' },
  { command: 'cook', description: 'Take a recipe’s ingredients out of the pantry', example: '/cook lasagna 4' },
  { command: 'undo', description: 'Undo the last change', example: '/undo' },
  { command: 'settings', description: 'Time zone and the daily digest', example: '/settings timezone Europe/Stockholm' },
  { command: 'invite', description: 'A code to use this group’s lists in a private chat', example: '/invite' },
  { command: 'join', description: 'Use a group’s lists here (with its code)', example: '/join K7QX2M9P' },
  { command: 'help', description: 'Commands and examples', example: '/help' },
  { command: 'start', description: 'What Larder does', example: '/start' },
];

/** The command names, for deciding what in a group is addressed to the bot. */
export const COMMAND_NAMES: ReadonlySet<string> = new Set(COMMANDS.map((entry) => entry.command));

/** What setMyCommands publishes. */
export function botCommands(): BotCommand[] {
  return COMMANDS.map(({ command, description }) => ({ command, description }));
}

const EXAMPLES = [
  'add 1 l milk, eggs and a loaf of bread',
  'add rice to costco',
  'got the milk · remove the yogurt',
  'we’re out of rice · running low on olive oil',
  'what’s expiring? · what can I cook tonight?',
  'remind me at 6pm to take the fish out',
];

/** /help: how to talk to Larder, then every command with one example. */
export function helpHtml(options: { group: boolean; username: string }): string {
  const how = options.group
    ? `<b>Talk to me</b> by mentioning @${escapeHtml(options.username)}, replying to one of my messages, or with a command. For example:`
    : '<b>Talk to me in plain words</b>, for example:';
  return [
    how,
    ...EXAMPLES.map((example) => `• ${options.group ? `@${escapeHtml(options.username)} ` : ''}${escapeHtml(example)}`),
    '',
    '<b>Commands</b>',
    ...COMMANDS.map((entry) => `${escapeHtml(entry.example)} — ${escapeHtml(entry.description.charAt(0).toLowerCase() + entry.description.slice(1))}`),
    '',
    'Every change has an ↩️ Undo button. Voice notes and receipt photos work when an LLM is configured.',
  ].join('\n');
}

/** /start in a private chat: what Larder does, with examples. */
export function startHtml(options: { username: string; firstName: string }): string {
  return [
    `👋 Hi ${escapeHtml(options.firstName)}! I’m <b>Larder</b>: I keep your household’s shopping lists, pantry and recipes.`,
    '',
    'Just tell me things, for example:',
    ...EXAMPLES.map((example) => `• ${escapeHtml(example)}`),
    '',
    '/list shows the list with a ✓ button per item; ticked items go into the pantry. Every change has an ↩️ Undo button.',
    `To share lists with your family, add me to your family group (I answer there when you mention @${escapeHtml(options.username)}), or send /join with the code /invite shows there.`,
    '/help lists every command.',
  ].join('\n');
}

/** Two lines for a group: who Larder is and how to talk to it. */
export function groupGreetingHtml(username: string): string {
  return [
    '👋 Hi, I’m <b>Larder</b>: I keep this group’s shopping list, pantry and recipes.',
    `Mention me (“@${escapeHtml(username)} add milk and eggs”), reply to my messages, or try /help.`,
  ].join('\n');
}
