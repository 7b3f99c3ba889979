import type { Message, MessageEntity } from 'grammy/types';

/** The bot as addressing needs it. */
export interface BotIdentity {
  id: number;
  username: string;
}

/** The command at the start of a message: `/list@larder_bot costco` → `{ name: 'list', target: 'larder_bot' }`. */
export function commandOf(message: Pick<Message, 'text' | 'entities' | 'caption' | 'caption_entities'>): { name: string; target: string | null } | null {
  const text = message.text ?? message.caption ?? '';
  const entities = message.text !== undefined ? message.entities : message.caption_entities;
  const entity = entities?.find((entry) => entry.type === 'bot_command' && entry.offset === 0);
  if (!entity) return null;
  const [name = '', target] = text.slice(1, entity.length).split('@');
  return { name: name.toLowerCase(), target: target?.toLowerCase() ?? null };
}

/** Mentions of the bot in a text: `@username` entities and text mentions of its id. */
function botMentions(text: string, entities: readonly MessageEntity[] | undefined, bot: BotIdentity): MessageEntity[] {
  const username = `@${bot.username.toLowerCase()}`;
  return (entities ?? []).filter(
    (entity) =>
      (entity.type === 'mention' && text.slice(entity.offset, entity.offset + entity.length).toLowerCase() === username) ||
      (entity.type === 'text_mention' && entity.user.id === bot.id),
  );
}

/**
 * Whether a group message is for Larder (DESIGN §5): one of its commands (`/list`, or any
 * `/cmd@thisbot`), an @mention of it, or a reply to one of its messages. A bot that is a group
 * admin receives every message, so this decides, not Telegram's privacy mode. A bare `/cmd`
 * Larder does not know stays unanswered: it may be for another bot in the group.
 */
export function isAddressed(message: Message, bot: BotIdentity, knownCommands: ReadonlySet<string>): boolean {
  const command = commandOf(message);
  if (command) {
    if (command.target !== null) return command.target === bot.username.toLowerCase();
    if (knownCommands.has(command.name)) return true;
  }
  if (message.reply_to_message?.from?.id === bot.id) return true;
  const text = message.text ?? message.caption ?? '';
  const entities = message.text !== undefined ? message.entities : message.caption_entities;
  return botMentions(text, entities, bot).length > 0;
}

/** The text with the bot's @mentions taken out and the punctuation around them tidied: "@larder, add milk" → "add milk". */
export function stripMention(text: string, entities: readonly MessageEntity[] | undefined, bot: BotIdentity): string {
  const mentions = botMentions(text, entities, bot).sort((a, b) => b.offset - a.offset);
  let result = text;
  for (const mention of mentions) {
    // "hey @larder: what…" → "hey what…": punctuation right after the name goes with it.
    result = `${result.slice(0, mention.offset)} ${result.slice(mention.offset + mention.length).replace(/^[,:;]/, '')}`;
  }
  return result
    .replace(/^[\s,:;.!-]+/, '')
    .replace(/\s+([,.!?])/g, '$1')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}
