/**
 * A local stand-in for the Telegram Bot API, for Larder's bot tests.
 *
 * Tests run the real grammY bot against a real HTTP server on 127.0.0.1
 * (random port): `new Bot(fake.token, { client: { apiRoot: fake.apiRoot } })`.
 * The server answers `/bot<token>/<method>` (JSON, urlencoded, multipart or
 * query-string parameters) and `/file/bot<token>/<file_path>` the way
 * Telegram does where Larder depends on it: long polling with `offset`,
 * `limit`, `timeout` and `allowed_updates`; full `Message` objects with
 * per-chat message ids, dates in seconds and the chat's real type; HTML
 * parsing and Telegram's length limits; "message is not modified"; 409 while
 * a webhook is set; Telegram-shaped errors with HTTP status = `error_code`.
 *
 * Users act through `sendText`, `sendVoice`, `sendPhoto`, `pressButton` and
 * `addedToGroup`; what the bot did is in `sent`, `calls`, `callbackAnswers`
 * and `transcript(chat)`.
 *
 * Every group message reaches the bot by default, as for a bot that is a group
 * admin: Larder decides in its own code what is addressed to it (DESIGN §5).
 * Pass `privacyMode: true` to get the filtering of a non-admin bot instead.
 *
 * @example
 * const fake = await startFakeTelegram();
 * const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
 * bot.command('list', (ctx) => ctx.reply('<b>Shopping</b>: milk', { parse_mode: 'HTML' }));
 * const polling = bot.start();
 * const ada = fake.user('Ada');
 * const flat = fake.group('Flat 3');
 * fake.sendText(flat, ada, `/list@${fake.bot.username}`);
 * const call = await fake.waitFor((c) => c.method === 'sendMessage');
 * expect(fake.transcript(flat)).toContain('bot: Shopping: milk');
 * await bot.stop();
 * await polling;
 * await fake.close();
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  BotCommand,
  Chat,
  ChatFullInfo,
  ChatMember,
  File,
  ForceReply,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  PhotoSize,
  ReactionTypeEmoji,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
  Update,
  User,
  UserFromGetMe,
  WebhookInfo,
} from 'grammy/types';

// Captured at load so a test that fakes timers (vi.useFakeTimers) does not freeze the server.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realSetImmediate = globalThis.setImmediate;
const realNow = (): number => performance.timeOrigin + performance.now();
// Message dates follow Date.now() on purpose, so a test that sets the system time sees it in `date`.
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------
// Public types

/** A person in the fake world: a Telegram `User` with `is_bot: false` and a username. */
export type FakeUser = User & { is_bot: false; username: string };

/** A chat the bot is in: a private chat with one user, a basic group or a supergroup. */
export type FakeChat = Chat.PrivateChat | Chat.GroupChat | Chat.SupergroupChat;

/** Any `reply_markup` a send method accepts. */
export type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply;

/** Telegram's error body; the HTTP status equals `error_code`. */
export interface ApiError {
  ok: false;
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

/** What the fake answered to one call. */
export type ApiResponse = { ok: true; result: unknown } | ApiError;

/** A file part of a multipart request, put in place of its `attach://` reference in `params`. */
export interface UploadedFile {
  filename: string;
  contentType: string | undefined;
  data: Buffer;
}

/** One Bot API call, in arrival order. */
export interface ApiCall {
  /** Position in `calls`, from 0. */
  index: number;
  /** The method name as the client spelled it, e.g. `sendMessage`. */
  method: string;
  /** Parameters after Telegram-style decoding (numbers, booleans and JSON fields parsed; uploads as `UploadedFile`). */
  params: Readonly<Record<string, unknown>>;
  /** Arrival time, ms since the epoch (real time even under fake timers). */
  time: number;
  /** The answer; `undefined` while a long poll is pending or when the client went away first. */
  response?: ApiResponse;
  /** True when Telegram ran this call from the body of a webhook response. */
  viaWebhookReply: boolean;
}

/** The visible content of a bot message. */
export interface MessageContent {
  /** Text as sent, markup included (sendMessage, editMessageText). */
  text?: string;
  /** Caption as sent, markup included (sendPhoto, sendDocument, editMessageCaption). */
  caption?: string;
  parse_mode?: string;
  reply_markup?: ReplyMarkup;
}

/** One edit of a bot message: the content the message had after it. */
export interface SentEdit extends MessageContent {
  method: string;
  time: number;
}

/** A message the bot sent; edits and deletion update it in place. */
export interface SentMessage extends MessageContent {
  /** `sendMessage`, `sendPhoto` or `sendDocument`. */
  method: string;
  chat_id: number;
  message_id: number;
  /** The message it replied to, if any. */
  reply_to?: number;
  /** Text or caption as the user sees it: tags removed, HTML entities decoded. */
  plain: string;
  deleted: boolean;
  /** Every successful edit, oldest first. */
  edits: SentEdit[];
  /** The message as Telegram holds it now (what a callback query carries). */
  message: Message;
  time: number;
}

/** One `answerCallbackQuery`. */
export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
}

/** A failure `failNext` makes the fake answer instead of running the method. */
export type FaultAnswer =
  | { error_code: 429; retry_after: number }
  | { error_code: 500 | 502; description?: string }
  | { error_code: 400 | 403; description: string };

/** Options of `startFakeTelegram`. */
export interface FakeTelegramOptions {
  /** The token the fake accepts; its numeric prefix becomes the bot's id. */
  token?: string;
  /** Defaults to `larder_test_bot`. */
  botUsername?: string;
  /** The bot's `first_name`; defaults to `Larder`. */
  botName?: string;
  /**
   * Deliver only what a non-admin bot in privacy mode gets in groups: messages
   * starting with `/`, mentions of the bot, replies to its messages and service
   * messages. Off by default: every group message reaches the bot.
   */
  privacyMode?: boolean;
}

/** The fake Bot API server and the world of users and chats around it. */
export interface FakeTelegram {
  /** `http://127.0.0.1:PORT`, for grammY's `client.apiRoot`. */
  readonly apiRoot: string;
  /** The only token accepted; any other gets 401 Unauthorized. */
  readonly token: string;
  readonly bot: { id: number; username: string; first_name: string };

  /** A person; ids default to 7_000_000_000 + n so 32-bit bugs show. The same explicit id and name returns the same user. */
  user(name: string, id?: number): FakeUser;
  /** A group the bot is in: ids ≤ -1_000_000_000_000 (the default, from -1001234567890) make a supergroup, others a basic group. The same explicit id and title returns the same group. */
  group(title: string, id?: number): FakeChat;
  /** The user's private chat with the bot (the user has pressed Start); its id is the user's id. */
  privateChat(user: FakeUser): FakeChat;

  /** The user sends text; bot_command, mention and url entities are computed. Returns the enqueued update. */
  sendText(chat: FakeChat, from: FakeUser, text: string, opts?: { replyTo?: number }): Update;
  /** The user sends a voice note; the audio is stored so getFile and the download work. */
  sendVoice(chat: FakeChat, from: FakeUser, audio: Buffer, opts?: { duration?: number; mimeType?: string; replyTo?: number }): Update;
  /** The user sends a photo (two sizes, the last is the full image); the bytes are stored for getFile. */
  sendPhoto(chat: FakeChat, from: FakeUser, image: Buffer, caption?: string, opts?: { replyTo?: number }): Update;
  /** The user presses an inline button with this callback_data on a message the bot sent. */
  pressButton(chat: FakeChat, from: FakeUser, messageId: number, callbackData: string): Update;
  /** The user adds the bot to a group: a `my_chat_member` update (returned) then a `new_chat_members` message. */
  addedToGroup(chat: FakeChat, by: FakeUser): Update;

  /** Every message the bot sent, in order. */
  readonly sent: readonly SentMessage[];
  /** Every Bot API call, in arrival order. */
  readonly calls: readonly ApiCall[];
  readonly callbackAnswers: readonly CallbackAnswer[];
  /** The bot's messages in one chat, in order. */
  messagesIn(chat: FakeChat): SentMessage[];
  /** A readable log of one chat: "Ada: add milk", "bot: Added milk [Undo]", "bot (edited): …", one event a line. */
  transcript(chat: FakeChat): string;
  /** The commands stored by setMyCommands for a scope and language (default scope, no language by default). */
  commands(scope?: Readonly<Record<string, unknown>>, languageCode?: string): BotCommand[];

  /**
   * Resolves with the first call matching `predicate` at index ≥ `since`. `since`
   * defaults to the number of calls when the latest user action happened, so
   * "the reply to what the user just did" is found even if it came before
   * `waitFor` was called. Rejects after `timeoutMs` (default 5000) listing the calls seen.
   */
  waitFor(predicate: (call: ApiCall) => boolean, timeoutMs?: number, since?: number): Promise<ApiCall>;
  /**
   * Resolves once every queued update is confirmed (or delivered, with a webhook),
   * no request is being handled, and nothing happened for `ms` (default 100).
   * getUpdates calls do not count as activity. Rejects after `timeoutMs` (default 10 000).
   */
  waitForIdle(ms?: number, timeoutMs?: number): Promise<void>;

  /** The next `times` (default 1) calls of `method` fail with this answer and have no effect. */
  failNext(method: string, answer: FaultAnswer, times?: number): void;

  /** Set by setWebhook, cleared by deleteWebhook; while set, getUpdates answers 409. */
  readonly webhook: { url: string; secret_token?: string } | null;
  /** POSTs the queued updates one by one to the webhook (http only), runs a method found in a response body, and throws on a non-2xx answer (the update stays queued). */
  deliverPending(): Promise<void>;
  /** Ends any pending long poll at once, drops all connections and stops the server. */
  close(): Promise<void>;
}

/**
 * Starts a fake Bot API server on 127.0.0.1 with a random port.
 *
 * @example
 * const fake = await startFakeTelegram({ botUsername: 'larder_bot' });
 * const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
 */
export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const fake = new FakeTelegramServer(options);
  await fake.listen();
  return fake;
}

// ---------------------------------------------------------------------------
// Telegram's constants

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const CALLBACK_DATA_LIMIT = 64;
const FILE_DOWNLOAD_LIMIT = 20 * 1024 * 1024;
const DEFAULT_TOKEN = '6900000001:AAFakeLarderTestTokenForLocalTestsOnly';
// Telegram leaves these out when allowed_updates is empty or was never set.
const NOT_DEFAULT_UPDATES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice',
  'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);
const INLINE_BUTTON_ACTIONS = [
  'callback_data', 'url', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay', 'web_app',
] as const;
// Bots may only react with these emoji; anything else is REACTION_INVALID.
const REACTION_EMOJI: ReadonlySet<string> = new Set<ReactionTypeEmoji['emoji']>([
  '👍', '👎', '❤', '🔥', '🥰', '👏', '😁', '🤔', '🤯', '😱', '🤬', '😢', '🎉', '🤩', '🤮', '💩', '🙏', '👌', '🕊', '🤡',
  '🥱', '🥴', '😍', '🐳', '❤‍🔥', '🌚', '🌭', '💯', '🤣', '⚡', '🍌', '🏆', '💔', '🤨', '😐', '🍓', '🍾', '💋', '🖕', '😈',
  '😴', '😭', '🤓', '👻', '👨‍💻', '👀', '🎃', '🙈', '😇', '😨', '🤝', '✍', '🤗', '🫡', '🎅', '🎄', '☃', '💅', '🤪', '🗿',
  '🆒', '💘', '🙉', '🦄', '😘', '💊', '🙊', '😎', '👾', '🤷‍♂', '🤷', '🤷‍♀', '😡',
]);
// Parameters Telegram reads as integers, booleans or JSON when they arrive as strings (multipart, query string).
const INT_PARAMS = new Set([
  'chat_id', 'message_id', 'reply_to_message_id', 'offset', 'limit', 'timeout', 'user_id', 'duration',
  'max_connections', 'cache_time', 'from_chat_id', 'message_thread_id',
]);
const BOOL_PARAMS = new Set([
  'show_alert', 'disable_notification', 'protect_content', 'drop_pending_updates', 'is_big',
  'allow_sending_without_reply', 'disable_web_page_preview', 'disable_content_type_detection',
]);
const JSON_PARAMS = new Set([
  'reply_markup', 'reply_parameters', 'allowed_updates', 'commands', 'scope', 'reaction', 'entities',
  'caption_entities', 'link_preview_options', 'media',
]);

// ---------------------------------------------------------------------------
// Errors

/** A Telegram error answer, thrown inside a method handler. */
class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }

  toResponse(): ApiError {
    return {
      ok: false,
      error_code: this.code,
      description: this.description,
      ...(this.retryAfter === undefined ? {} : { parameters: { retry_after: this.retryAfter } }),
    };
  }
}

const badRequest = (why: string): ApiFailure => new ApiFailure(400, `Bad Request: ${why}`);
const parseFailure = (why: string): ApiFailure => badRequest(`can't parse entities: ${why}`);

function faultResponse(fault: FaultAnswer): ApiError {
  switch (fault.error_code) {
    case 429:
      return new ApiFailure(429, `Too Many Requests: retry after ${fault.retry_after}`, fault.retry_after).toResponse();
    case 500:
      return new ApiFailure(500, fault.description ?? 'Internal Server Error').toResponse();
    case 502:
      return new ApiFailure(502, fault.description ?? 'Bad Gateway').toResponse();
    default:
      return new ApiFailure(fault.error_code, fault.description).toResponse();
  }
}

// ---------------------------------------------------------------------------
// Parameters

type Params = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function isUploadedFile(value: unknown): value is UploadedFile {
  return isRecord(value) && typeof value.filename === 'string' && Buffer.isBuffer(value.data);
}

/** Decodes string values the way Telegram does, whatever the body's encoding. */
function normalizeParams(raw: Params, files: ReadonlyMap<string, UploadedFile> = new Map()): Params {
  const params: Params = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') {
      params[key] = value;
    } else if (value.startsWith('attach://') && files.has(value.slice('attach://'.length))) {
      params[key] = files.get(value.slice('attach://'.length));
    } else if (INT_PARAMS.has(key) && /^-?\d+$/.test(value)) {
      params[key] = Number(value);
    } else if (BOOL_PARAMS.has(key) && (value === 'true' || value === 'false')) {
      params[key] = value === 'true';
    } else if (JSON_PARAMS.has(key)) {
      params[key] = tryJson(value);
    } else {
      params[key] = value;
    }
  }
  // A client may send a file part under the parameter's own name instead of attach://.
  for (const [name, file] of files) if (!(name in params)) params[name] = file;
  return params;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function optInt(p: Params, key: string): number | undefined {
  const value = p[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw badRequest(`invalid ${key} specified`);
}

function optString(p: Params, key: string): string | undefined {
  const value = p[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw badRequest(`field "${key}" must be of type String`);
}

function optBool(p: Params, key: string): boolean {
  const value = p[key];
  return value === true || value === 'true' || value === 1;
}

function optJson(p: Params, key: string): unknown {
  const value = p[key];
  return typeof value === 'string' && JSON_PARAMS.has(key) ? tryJson(value) : value;
}

// ---------------------------------------------------------------------------
// Formatting: Telegram's HTML subset, and entities of what users type

/** Text as the user sees it, with its entities. */
export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

const SUPPORTED_TAGS = new Set([
  'a', 'b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'tg-emoji', 'code', 'pre',
  'blockquote',
]);

const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';

/** Decodes one `&…;` at `at`; Telegram knows only lt, gt, amp, quot and numeric references, and keeps any other `&` as is. */
function decodeEntityAt(src: string, at: number): { decoded: string; length: number } {
  const match = /^&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));/.exec(src.slice(at, at + 12));
  if (match === null) return { decoded: '&', length: 1 };
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
  const [whole, name, dec, hex] = match;
  const code = dec !== undefined ? Number(dec) : hex !== undefined ? Number.parseInt(hex, 16) : undefined;
  const decoded = name !== undefined ? (named[name] ?? '') : code !== undefined && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  return { decoded, length: whole.length };
}

function decodeEntities(src: string): string {
  let out = '';
  for (let i = 0; i < src.length; ) {
    if (src.charAt(i) === '&') {
      const { decoded, length } = decodeEntityAt(src, i);
      out += decoded;
      i += length;
    } else {
      out += src.charAt(i);
      i += 1;
    }
  }
  return out;
}

interface OpenTag {
  tag: string;
  offset: number;
  attrs: Map<string, string>;
  language?: string;
}

/**
 * Parses Telegram's HTML parse mode into plain text and entities, failing with
 * Telegram's own messages (byte offsets are UTF-8, as Telegram reports them).
 */
export function parseTelegramHtml(src: string): FormattedText {
  let out = '';
  const entities: MessageEntity[] = [];
  const open: OpenTag[] = [];
  const byteOffset = (at: number): number => Buffer.byteLength(src.slice(0, at), 'utf8');
  const skipSpaces = (from: number): number => {
    let j = from;
    while (j < src.length && isSpace(src.charAt(j))) j += 1;
    return j;
  };

  let i = 0;
  while (i < src.length) {
    const ch = src.charAt(i);
    if (ch === '&') {
      const { decoded, length } = decodeEntityAt(src, i);
      out += decoded;
      i += length;
      continue;
    }
    if (ch !== '<') {
      out += ch;
      i += 1;
      continue;
    }
    const begin = i;
    if (src.charAt(i + 1) === '/') {
      const top = open.pop();
      if (top === undefined) throw parseFailure(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
      let j = i + 2;
      while (j < src.length && !isSpace(src.charAt(j)) && src.charAt(j) !== '>') j += 1;
      const name = src.slice(i + 2, j).toLowerCase();
      j = skipSpaces(j);
      if (src.charAt(j) !== '>') throw parseFailure(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
      if (name !== top.tag) {
        throw parseFailure(`Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${top.tag}>", found "</${name}>"`);
      }
      closeTag(top, open, out.length, entities);
      i = j + 1;
      continue;
    }

    let j = i + 1;
    while (j < src.length && !isSpace(src.charAt(j)) && src.charAt(j) !== '>') j += 1;
    if (j >= src.length) throw parseFailure(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
    const tag = src.slice(i + 1, j).toLowerCase();
    if (!SUPPORTED_TAGS.has(tag)) throw parseFailure(`Unsupported start tag "${tag}" at byte offset ${byteOffset(begin)}`);
    const attrs = new Map<string, string>();
    for (;;) {
      j = skipSpaces(j);
      if (j >= src.length) throw parseFailure(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      if (src.charAt(j) === '>') break;
      let k = j;
      while (k < src.length && !isSpace(src.charAt(k)) && src.charAt(k) !== '=' && src.charAt(k) !== '>') k += 1;
      const attr = src.slice(j, k).toLowerCase();
      if (attr === '') throw parseFailure(`Empty attribute name in the tag "${tag}" at byte offset ${byteOffset(begin)}`);
      j = skipSpaces(k);
      if (src.charAt(j) !== '=') {
        // `<blockquote expandable>` is the one attribute without a value.
        if (tag === 'blockquote' && attr === 'expandable') {
          attrs.set(attr, '');
          continue;
        }
        throw parseFailure(`Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${byteOffset(begin)}`);
      }
      j = skipSpaces(j + 1);
      const quote = src.charAt(j);
      let value: string;
      if (quote === '"' || quote === "'") {
        const end = src.indexOf(quote, j + 1);
        if (end < 0) throw parseFailure(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
        value = decodeEntities(src.slice(j + 1, end));
        j = end + 1;
      } else {
        let end = j;
        while (end < src.length && /[A-Za-z0-9.-]/.test(src.charAt(end))) end += 1;
        if (end === j) throw parseFailure(`Expected quote in declaration of an attribute of the tag "${tag}" at byte offset ${byteOffset(begin)}`);
        value = src.slice(j, end);
        j = end;
      }
      attrs.set(attr, value);
    }
    if (tag === 'span' && attrs.get('class') !== 'tg-spoiler') {
      throw parseFailure(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
    }
    if (tag === 'tg-emoji' && !attrs.has('emoji-id')) {
      throw parseFailure(`Tag "tg-emoji" must have attribute "emoji-id" at byte offset ${byteOffset(begin)}`);
    }
    open.push({ tag, offset: out.length, attrs });
    i = j + 1;
  }
  const unclosed = open.at(-1);
  if (unclosed !== undefined) throw parseFailure(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text: out, entities };
}

function closeTag(tag: OpenTag, open: readonly OpenTag[], end: number, entities: MessageEntity[]): void {
  const offset = tag.offset;
  const length = end - offset;
  const parent = open.at(-1);
  // <pre><code class="language-x"> is one pre entity with a language.
  if (tag.tag === 'code' && parent?.tag === 'pre' && parent.offset === offset) {
    const cls = tag.attrs.get('class');
    if (cls?.startsWith('language-') === true) {
      parent.language = cls.slice('language-'.length);
      return;
    }
  }
  if (length === 0) return;
  const simple: Record<string, MessageEntity.CommonMessageEntity['type']> = {
    b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline',
    s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', span: 'spoiler', 'tg-spoiler': 'spoiler', code: 'code',
  };
  const type = simple[tag.tag];
  if (type !== undefined) {
    entities.push({ type, offset, length });
  } else if (tag.tag === 'blockquote') {
    entities.push({ type: tag.attrs.has('expandable') ? 'expandable_blockquote' : 'blockquote', offset, length });
  } else if (tag.tag === 'pre') {
    entities.push({ type: 'pre', offset, length, ...(tag.language === undefined ? {} : { language: tag.language }) });
  } else if (tag.tag === 'a') {
    const url = tag.attrs.get('href');
    if (url !== undefined && url !== '') entities.push({ type: 'text_link', offset, length, url });
  } else if (tag.tag === 'tg-emoji') {
    entities.push({ type: 'custom_emoji', offset, length, custom_emoji_id: tag.attrs.get('emoji-id') ?? '' });
  }
}

/** Entities Telegram detects in what a user types: commands, @mentions and links. */
export function detectEntities(text: string): MessageEntity[] {
  const found: MessageEntity[] = [];
  const add = (re: RegExp, type: 'bot_command' | 'mention' | 'url'): void => {
    for (const match of text.matchAll(re)) {
      const offset = match.index;
      const length = match[0].length;
      const overlaps = found.some((e) => offset < e.offset + e.length && e.offset < offset + length);
      if (!overlaps) found.push({ type, offset, length });
    }
  };
  add(/(?<=^|\s)\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])/g, 'bot_command');
  add(/https?:\/\/[^\s<>"]+/g, 'url');
  add(/(?<![A-Za-z0-9_/@])@[A-Za-z0-9_]{3,32}(?![A-Za-z0-9_])/g, 'mention');
  return found.sort((a, b) => a.offset - b.offset);
}

/** Stable JSON, so two markups built in a different key order compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function buttonsOf(markup: ReplyMarkup | undefined): string {
  if (markup === undefined || !('inline_keyboard' in markup)) return '';
  const labels = markup.inline_keyboard.flat().map((b) => `[${b.text}]`);
  return labels.length > 0 ? ` ${labels.join(' ')}` : '';
}

const indent = (text: string): string => text.replace(/\n/g, '\n  ');
const snippet = (text: string): string => (text.length > 30 ? `${text.slice(0, 29)}…` : text);

// ---------------------------------------------------------------------------
// Multipart and body parsing

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

function parseMultipart(body: Buffer, boundary: string): { fields: Params; files: Map<string, UploadedFile> } {
  const fields: Params = {};
  const files = new Map<string, UploadedFile>();
  const opening = Buffer.from(`--${boundary}`);
  const separator = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(opening);
  while (pos !== -1) {
    let start = pos + opening.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(separator, start);
    if (next === -1) break;
    const part = body.subarray(start, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const data = part.subarray(headerEnd + 4);
      const name = /(?:^|;)\s*name="([^"]*)"/im.exec(headers)?.[1];
      const filename = /filename="?([^";\r\n]*)"?/i.exec(headers)?.[1];
      const contentType = /^content-type:\s*([^\r\n]+)/im.exec(headers)?.[1]?.trim();
      if (name !== undefined && filename !== undefined) {
        files.set(name, { filename, contentType, data: Buffer.from(data) });
      } else if (name !== undefined) {
        fields[name] = data.toString('utf8');
      }
    }
    pos = next + 2;
  }
  return { fields, files };
}

function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

function postJson(url: URL, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        readBody(res).then(
          (data) => resolve({ status: res.statusCode ?? 0, body: data.toString('utf8') }),
          reject,
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------
// The server

interface StoredMessage {
  message: Message;
  fromBot: boolean;
  deleted: boolean;
  sent?: SentMessage;
}

interface ChatState {
  chat: FakeChat;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  members: Set<number>;
  lines: string[];
}

interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  data: Buffer;
}

interface PendingPoll {
  res: ServerResponse;
  call: ApiCall;
  limit: number;
  timer: ReturnType<typeof setTimeout>;
  flushing: boolean;
}

interface Waiter {
  predicate: (call: ApiCall) => boolean;
  since: number;
  resolve: (call: ApiCall) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface CallbackQueryState {
  chatId: number;
  from: FakeUser;
  answered: boolean;
}

type Handler = (p: Params) => unknown;

class FakeTelegramServer implements FakeTelegram {
  readonly token: string;
  readonly bot: { id: number; username: string; first_name: string };
  readonly sent: SentMessage[] = [];
  readonly calls: ApiCall[] = [];
  readonly callbackAnswers: CallbackAnswer[] = [];
  apiRoot = '';

  private readonly server: Server;
  private readonly privacyMode: boolean;
  private readonly handlers = new Map<string, Handler>();
  private readonly users = new Map<number, FakeUser>();
  private readonly chats = new Map<number, ChatState>();
  private readonly files = new Map<string, StoredFile>();
  private readonly filesByPath = new Map<string, StoredFile>();
  private readonly callbackQueries = new Map<string, CallbackQueryState>();
  private readonly myCommands = new Map<string, BotCommand[]>();
  private readonly faults = new Map<string, FaultAnswer[]>();
  private readonly waiters = new Set<Waiter>();
  private queue: Update[] = [];
  private allowedUpdates: string[] | undefined;
  private poll: PendingPoll | undefined;
  private webhookState: { url: string; secret_token?: string; max_connections: number } | null = null;
  private lastWebhookError: { date: number; message: string } | undefined;
  private delivering: Promise<void> = Promise.resolve();
  private nextUpdateId = 500_000_001;
  private nextUserN = 1;
  private nextGroupN = 0;
  private nextFileN = 1;
  private nextCallbackN = 1;
  private actionMark = 0;
  private inflight = 0;
  private lastActivity = realNow();
  private closed = false;

  constructor(options: FakeTelegramOptions) {
    this.token = options.token ?? DEFAULT_TOKEN;
    const idPart = /^(\d+):/.exec(this.token)?.[1];
    this.bot = {
      id: idPart === undefined ? 6_900_000_001 : Number(idPart),
      username: options.botUsername ?? 'larder_test_bot',
      first_name: options.botName ?? 'Larder',
    };
    this.privacyMode = options.privacyMode ?? false;
    this.server = createServer((req, res) => this.onRequest(req, res));
    // Longer than any pause between grammY's calls, so a kept-alive socket is not closed under it (Node's 5 s default caused resets).
    this.server.keepAliveTimeout = 60_000;
    this.server.headersTimeout = 65_000;
    this.registerMethods();
  }

  get webhook(): { url: string; secret_token?: string } | null {
    if (this.webhookState === null) return null;
    const { url, secret_token } = this.webhookState;
    return secret_token === undefined ? { url } : { url, secret_token };
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        const { port } = this.server.address() as AddressInfo;
        this.apiRoot = `http://127.0.0.1:${port}`;
        resolve();
      });
    });
  }

  // ----- users and chats

  user(name: string, id?: number): FakeUser {
    if (id !== undefined) {
      const existing = this.users.get(id);
      if (existing !== undefined) {
        if (existing.first_name !== name) throw new Error(`fake Telegram: user id ${id} is already ${existing.first_name}`);
        return existing;
      }
    }
    let userId = id;
    while (userId === undefined || this.users.has(userId)) userId = 7_000_000_000 + this.nextUserN++;
    // Usernames are unique on Telegram, so a second "Ada" becomes ada_2.
    const base = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
    const taken = new Set([...this.users.values()].map((u) => u.username));
    let username = base;
    for (let n = 2; taken.has(username); n += 1) username = `${base}_${n}`;
    const user: FakeUser = { id: userId, is_bot: false, first_name: name, username, language_code: 'en' };
    this.users.set(userId, user);
    return user;
  }

  group(title: string, id?: number): FakeChat {
    let chatId = id;
    while (chatId === undefined || (id === undefined && this.chats.has(chatId))) chatId = -1_001_234_567_890 - this.nextGroupN++;
    if (chatId >= 0) throw new Error(`fake Telegram: group ids are negative, got ${chatId}`);
    const existing = this.chats.get(chatId);
    if (existing !== undefined) {
      if (existing.chat.title !== title) throw new Error(`fake Telegram: group ${chatId} is already "${existing.chat.title ?? ''}"`);
      return existing.chat;
    }
    const chat: FakeChat = chatId <= -1_000_000_000_000 ? { id: chatId, type: 'supergroup', title } : { id: chatId, type: 'group', title };
    this.chats.set(chatId, { chat, nextMessageId: 1, messages: new Map(), members: new Set(), lines: [] });
    return chat;
  }

  privateChat(user: FakeUser): FakeChat {
    const existing = this.chats.get(user.id);
    if (existing !== undefined) return existing.chat;
    const chat: Chat.PrivateChat = { id: user.id, type: 'private', first_name: user.first_name, username: user.username };
    this.chats.set(user.id, { chat, nextMessageId: 1, messages: new Map(), members: new Set([user.id]), lines: [] });
    return chat;
  }

  // ----- what users do

  sendText(chat: FakeChat, from: FakeUser, text: string, opts: { replyTo?: number } = {}): Update {
    const entities = detectEntities(text);
    const state = this.userChat(chat, from);
    const message = this.userMessage(state, from, { text, ...(entities.length > 0 ? { entities } : {}) }, opts.replyTo);
    this.say(state, `${from.first_name}${this.replyNote(message)}: ${indent(text)}`);
    return this.deliverMessage(state, message);
  }

  sendVoice(chat: FakeChat, from: FakeUser, audio: Buffer, opts: { duration?: number; mimeType?: string; replyTo?: number } = {}): Update {
    const state = this.userChat(chat, from);
    const file = this.storeFile('voice', audio, 'oga');
    const duration = opts.duration ?? 2;
    const voice = {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      duration,
      mime_type: opts.mimeType ?? 'audio/ogg',
      file_size: audio.length,
    };
    const message = this.userMessage(state, from, { voice }, opts.replyTo);
    this.say(state, `${from.first_name}${this.replyNote(message)}: [voice ${duration}s]`);
    return this.deliverMessage(state, message);
  }

  sendPhoto(chat: FakeChat, from: FakeUser, image: Buffer, caption?: string, opts: { replyTo?: number } = {}): Update {
    const state = this.userChat(chat, from);
    const photo = this.photoSizes(image);
    const entities = caption === undefined ? [] : detectEntities(caption);
    const content: Partial<Message> = {
      photo,
      ...(caption === undefined ? {} : { caption }),
      ...(entities.length > 0 ? { caption_entities: entities } : {}),
    };
    const message = this.userMessage(state, from, content, opts.replyTo);
    this.say(state, `${from.first_name}${this.replyNote(message)}: [photo]${caption === undefined ? '' : ` ${indent(caption)}`}`);
    return this.deliverMessage(state, message);
  }

  pressButton(chat: FakeChat, from: FakeUser, messageId: number, callbackData: string): Update {
    const state = this.userChat(chat, from);
    const stored = state.messages.get(messageId);
    if (stored === undefined || !stored.fromBot) throw new Error(`fake Telegram: the bot sent no message ${messageId} in chat ${chat.id}`);
    if (stored.deleted) throw new Error(`fake Telegram: message ${messageId} in chat ${chat.id} was deleted`);
    const buttons = stored.message.reply_markup?.inline_keyboard.flat() ?? [];
    const button = buttons.find((b) => 'callback_data' in b && b.callback_data === callbackData);
    if (button === undefined) {
      const present = buttons.map((b) => `${b.text}=${'callback_data' in b ? b.callback_data : '(no callback_data)'}`);
      throw new Error(`fake Telegram: message ${messageId} has no button with callback_data "${callbackData}"; it has: ${present.join(', ') || 'no buttons'}`);
    }
    const id = String(4_300_000_000_000_000n + BigInt(this.nextCallbackN++));
    this.callbackQueries.set(id, { chatId: chat.id, from, answered: false });
    this.say(state, `${from.first_name} pressed [${button.text}]`);
    this.markAction();
    return this.enqueue({
      update_id: this.nextUpdateId++,
      callback_query: {
        id,
        from: { ...from },
        message: structuredClone(stored.message),
        chat_instance: String(BigInt(Math.abs(chat.id)) * 7919n),
        data: callbackData,
      },
    });
  }

  addedToGroup(chat: FakeChat, by: FakeUser): Update {
    if (chat.type === 'private') throw new Error('fake Telegram: addedToGroup needs a group');
    const state = this.userChat(chat, by);
    const botUser = this.botUser();
    this.say(state, `${by.first_name} added the bot`);
    this.markAction();
    const memberUpdate = this.enqueue({
      update_id: this.nextUpdateId++,
      my_chat_member: {
        chat: { ...chat },
        from: { ...by },
        date: nowSeconds(),
        old_chat_member: { status: 'left', user: botUser },
        new_chat_member: { status: 'member', user: botUser },
      },
    });
    const message = this.userMessage(state, by, { new_chat_members: [botUser] }, undefined);
    this.deliverMessage(state, message);
    return memberUpdate;
  }

  // ----- what the bot did

  messagesIn(chat: FakeChat): SentMessage[] {
    return this.sent.filter((m) => m.chat_id === chat.id);
  }

  transcript(chat: FakeChat): string {
    return (this.chats.get(chat.id)?.lines ?? []).join('\n');
  }

  commands(scope: Readonly<Record<string, unknown>> = { type: 'default' }, languageCode = ''): BotCommand[] {
    return structuredClone(this.myCommands.get(commandsKey(scope, languageCode)) ?? []);
  }

  waitFor(predicate: (call: ApiCall) => boolean, timeoutMs = 5000, since = this.actionMark): Promise<ApiCall> {
    for (const call of this.calls.slice(since)) if (predicate(call)) return Promise.resolve(call);
    if (this.closed) return Promise.reject(new Error('fake Telegram: waitFor after close()'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        since,
        resolve,
        reject,
        timer: realSetTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`fake Telegram: no matching call within ${timeoutMs} ms.\n${this.describeSince(since)}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  async waitForIdle(ms = 100, timeoutMs = 10_000): Promise<void> {
    const deadline = realNow() + timeoutMs;
    for (;;) {
      const quietFor = realNow() - this.lastActivity;
      if (this.queue.length === 0 && this.inflight === 0 && quietFor >= ms) return;
      if (realNow() >= deadline) {
        const pending = this.queue.map((u) => u.update_id);
        const why = pending.length > 0
          ? `${pending.length} update(s) not ${this.webhookState === null ? 'confirmed — is the bot polling?' : 'delivered — call deliverPending()'} (ids ${pending.join(', ')})`
          : this.inflight > 0 ? `${this.inflight} request(s) still being handled` : `calls kept coming (last ${Math.round(quietFor)} ms ago)`;
        throw new Error(`fake Telegram: not idle after ${timeoutMs} ms: ${why}.\n${this.describeSince(Math.max(0, this.calls.length - 10))}`);
      }
      await new Promise((resolve) => realSetTimeout(resolve, Math.min(20, Math.max(1, ms / 4))));
    }
  }

  failNext(method: string, answer: FaultAnswer, times = 1): void {
    const key = method.toLowerCase();
    const list = this.faults.get(key) ?? [];
    for (let n = 0; n < times; n += 1) list.push(answer);
    this.faults.set(key, list);
  }

  deliverPending(): Promise<void> {
    const run = this.delivering.then(() => this.deliverAll());
    // The chain goes on after a failed delivery; the failure is the caller's.
    this.delivering = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.poll !== undefined) this.answerPoll(this.poll, []);
    for (const waiter of this.waiters) {
      realClearTimeout(waiter.timer);
      waiter.reject(new Error('fake Telegram: closed while waiting'));
    }
    this.waiters.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      // Give just-written answers a tick to leave, then cut whatever is left.
      realSetImmediate(() => this.server.closeAllConnections());
    });
  }

  // ----- HTTP

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.route(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      sendJson(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${message}` });
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch !== null) return this.serveFile(decodeURIComponent(fileMatch[1] ?? ''), decodeURIComponent(fileMatch[2] ?? ''), res);
    const apiMatch = /^\/bot([^/]+)\/(?:test\/)?([A-Za-z0-9_]+)\/?$/.exec(url.pathname);
    if (apiMatch === null) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (decodeURIComponent(apiMatch[1] ?? '') !== this.token) {
      return sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    const method = apiMatch[2] ?? '';
    const isPoll = method.toLowerCase() === 'getupdates';
    if (!isPoll) this.inflight += 1;
    let params: Params;
    try {
      params = await this.readParams(req, url);
    } catch (error) {
      if (!isPoll) this.inflight -= 1;
      const description = error instanceof ApiFailure ? error.description : "Bad Request: can't parse request body";
      return sendJson(res, 400, { ok: false, error_code: 400, description });
    }
    if (isPoll) return this.getUpdates(method, params, res);
    try {
      const response = this.execute(method, params, false);
      sendJson(res, response.ok ? 200 : response.error_code, response);
    } finally {
      this.inflight -= 1;
      this.lastActivity = realNow();
    }
  }

  private async readParams(req: IncomingMessage, url: URL): Promise<Params> {
    const raw: Params = Object.fromEntries(url.searchParams);
    const body = req.method === 'GET' || req.method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
    if (body.length === 0) return normalizeParams(raw);
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    if (type.startsWith('multipart/form-data')) {
      const boundary = /boundary="?([^";]+)"?/i.exec(req.headers['content-type'] ?? '')?.[1];
      if (boundary === undefined) throw badRequest('wrong multipart boundary');
      const { fields, files } = parseMultipart(body, boundary);
      return normalizeParams({ ...raw, ...fields }, files);
    }
    if (type.startsWith('application/x-www-form-urlencoded')) {
      return normalizeParams({ ...raw, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON object");
    }
    if (!isRecord(parsed)) throw badRequest('expected a JSON object');
    return normalizeParams({ ...raw, ...parsed });
  }

  private serveFile(token: string, path: string, res: ServerResponse): void {
    if (token !== this.token) return sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const file = this.filesByPath.get(path);
    if (file === undefined) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.data.length });
    res.end(file.data);
  }

  /** Runs one method, records the call and wakes waiters; never throws a Telegram error, returns it. */
  private execute(method: string, params: Params, viaWebhookReply: boolean): ApiResponse {
    const call: ApiCall = { index: this.calls.length, method, params, time: realNow(), viaWebhookReply };
    const fault = this.takeFault(method);
    let response: ApiResponse;
    if (fault !== undefined) {
      response = faultResponse(fault);
    } else {
      const handler = this.handlers.get(method.toLowerCase());
      if (handler === undefined) {
        response = { ok: false, error_code: 404, description: 'Not Found: method not found' };
      } else {
        try {
          response = { ok: true, result: handler(params) };
        } catch (error) {
          if (!(error instanceof ApiFailure)) throw error;
          response = error.toResponse();
        }
      }
    }
    call.response = response;
    this.record(call);
    return response;
  }

  private takeFault(method: string): FaultAnswer | undefined {
    const list = this.faults.get(method.toLowerCase());
    const fault = list?.shift();
    if (list !== undefined && list.length === 0) this.faults.delete(method.toLowerCase());
    return fault;
  }

  private record(call: ApiCall): void {
    this.calls.push(call);
    if (call.method.toLowerCase() !== 'getupdates') this.lastActivity = realNow();
    this.notify(call);
  }

  private notify(call: ApiCall): void {
    for (const waiter of this.waiters) {
      if (call.index < waiter.since) continue;
      let matched: boolean;
      try {
        matched = waiter.predicate(call);
      } catch (error) {
        realClearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.reject(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (matched) {
        realClearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.resolve(call);
      }
    }
  }

  private describeSince(since: number): string {
    const lines = this.calls
      .slice(since)
      .filter((c) => c.method.toLowerCase() !== 'getupdates')
      .slice(-15)
      .map((c) => {
        const params = JSON.stringify(c.params, (_k, v: unknown) => (isUploadedFile(v) ? `<file ${v.filename}>` : v));
        const outcome = c.response === undefined ? 'pending' : c.response.ok ? 'ok' : `${c.response.error_code} ${c.response.description}`;
        return `  #${c.index} ${c.method} ${params.length > 160 ? `${params.slice(0, 159)}…` : params} → ${outcome}`;
      });
    const queued = this.queue.length > 0 ? `\n${this.queue.length} update(s) still queued.` : '';
    return lines.length > 0 ? `Calls since #${since}:\n${lines.join('\n')}${queued}` : `No calls since #${since}.${queued}`;
  }

  // ----- long polling

  private getUpdates(method: string, params: Params, res: ServerResponse): void {
    const call: ApiCall = { index: this.calls.length, method, params, time: realNow(), viaWebhookReply: false };
    const fault = this.takeFault(method);
    const fail = (failure: ApiError): void => {
      call.response = failure;
      this.record(call);
      sendJson(res, failure.error_code, failure);
    };
    if (fault !== undefined) return fail(faultResponse(fault));
    if (this.webhookState !== null) {
      return fail(new ApiFailure(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first").toResponse());
    }
    let offset: number | undefined;
    let limit: number;
    let timeout: number;
    try {
      offset = optInt(params, 'offset');
      limit = Math.min(100, Math.max(1, optInt(params, 'limit') ?? 100));
      timeout = Math.max(0, optInt(params, 'timeout') ?? 0);
      const allowed = optJson(params, 'allowed_updates');
      if (allowed !== undefined && allowed !== null) {
        if (!Array.isArray(allowed) || !allowed.every((t) => typeof t === 'string')) throw badRequest("can't parse allowed_updates");
        this.allowedUpdates = allowed;
      }
    } catch (error) {
      if (error instanceof ApiFailure) return fail(error.toResponse());
      throw error;
    }
    // Only one poll at a time, as on Telegram: the newer request ends the older one.
    if (this.poll !== undefined) {
      const older = this.poll;
      this.poll = undefined;
      realClearTimeout(older.timer);
      const conflict = new ApiFailure(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running').toResponse();
      older.call.response = conflict;
      sendJson(older.res, 409, conflict);
      this.notify(older.call);
    }
    const queuedBefore = this.queue.length;
    if (offset !== undefined && offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    else if (offset !== undefined && offset < 0) this.queue = this.queue.slice(offset);
    this.queue = this.queue.filter((u) => this.allows(u));
    // A poll is not activity, but confirming updates is: the bot just finished a batch.
    if (this.queue.length !== queuedBefore) this.lastActivity = realNow();
    this.record(call);

    const poll: PendingPoll = { res, call, limit, timer: realSetTimeout(() => this.answerPoll(poll, this.queue.slice(0, limit)), timeout * 1000), flushing: false };
    if (this.queue.length > 0 || timeout === 0 || this.closed) {
      this.answerPoll(poll, this.queue.slice(0, limit));
      return;
    }
    this.poll = poll;
    res.on('close', () => {
      // The client gave up (bot.stop() aborts its poll): forget it, keep the updates queued.
      if (this.poll === poll) {
        realClearTimeout(poll.timer);
        this.poll = undefined;
      }
    });
  }

  private answerPoll(poll: PendingPoll, updates: Update[]): void {
    realClearTimeout(poll.timer);
    if (this.poll === poll) this.poll = undefined;
    const response: ApiResponse = { ok: true, result: updates };
    poll.call.response = response;
    if (updates.length > 0) this.lastActivity = realNow();
    sendJson(poll.res, 200, response, this.closed ? { connection: 'close' } : {});
    this.notify(poll.call);
  }

  private enqueue(update: Update): Update {
    this.lastActivity = realNow();
    // Telegram does not keep updates of a type the bot did not ask for.
    if (!this.allows(update)) return update;
    this.queue.push(update);
    const poll = this.poll;
    if (poll !== undefined && !poll.flushing) {
      poll.flushing = true;
      // Updates made in the same tick (a test sending three messages) go out in one batch.
      realSetImmediate(() => {
        if (this.poll === poll) this.answerPoll(poll, this.queue.slice(0, poll.limit));
      });
    }
    return update;
  }

  private allows(update: Update): boolean {
    const type = Object.keys(update).find((k) => k !== 'update_id') ?? '';
    const allowed = this.allowedUpdates;
    return allowed === undefined || allowed.length === 0 ? !NOT_DEFAULT_UPDATES.has(type) : allowed.includes(type);
  }

  private markAction(): void {
    this.actionMark = this.calls.length;
  }

  // ----- webhook delivery

  private async deliverAll(): Promise<void> {
    for (;;) {
      const hook = this.webhookState;
      if (hook === null) throw new Error('fake Telegram: no webhook is set (the bot has not called setWebhook)');
      const update = this.queue[0];
      if (update === undefined) return;
      const url = new URL(hook.url);
      if (url.protocol !== 'http:') throw new Error(`fake Telegram: can only deliver to http:// webhooks, not ${hook.url}`);
      const headers: Record<string, string> = hook.secret_token === undefined ? {} : { 'X-Telegram-Bot-Api-Secret-Token': hook.secret_token };
      this.inflight += 1;
      let answer: { status: number; body: string };
      try {
        answer = await postJson(url, JSON.stringify(update), headers);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.lastWebhookError = { date: nowSeconds(), message: `Connection failed: ${message}` };
        throw new Error(`fake Telegram: webhook ${hook.url} unreachable for update ${update.update_id}: ${message}`, { cause: error });
      } finally {
        this.inflight -= 1;
        this.lastActivity = realNow();
      }
      if (answer.status < 200 || answer.status >= 300) {
        this.lastWebhookError = { date: nowSeconds(), message: `Wrong response from the webhook: ${answer.status}` };
        throw new Error(`fake Telegram: webhook ${hook.url} answered ${answer.status} to update ${update.update_id}: ${answer.body.slice(0, 200)}`);
      }
      if (this.queue[0] === update) this.queue.shift();
      // A method in the response body is run as if the bot had called it (grammY's webhook reply).
      const reply = answer.body.trim() === '' ? undefined : tryJson(answer.body);
      if (isRecord(reply) && typeof reply.method === 'string') {
        const { method, ...rest } = reply;
        this.execute(method, normalizeParams(rest), true);
      }
    }
  }

  // ----- helpers for user actions

  private userChat(chat: FakeChat, from: FakeUser): ChatState {
    const state = this.chats.get(chat.id);
    if (state === undefined) throw new Error(`fake Telegram: unknown chat ${chat.id}; create it with group() or privateChat()`);
    if (!this.users.has(from.id)) throw new Error(`fake Telegram: unknown user ${from.id}; create it with user()`);
    if (state.chat.type === 'private' && chat.id !== from.id) {
      throw new Error(`fake Telegram: ${from.first_name} cannot write in ${state.chat.first_name}'s private chat`);
    }
    state.members.add(from.id);
    return state;
  }

  private userMessage(state: ChatState, from: FakeUser, content: Partial<Message>, replyTo: number | undefined): Message & Update.NonChannel {
    let reply: Message | undefined;
    if (replyTo !== undefined) {
      const target = state.messages.get(replyTo);
      if (target === undefined || target.deleted) throw new Error(`fake Telegram: no message ${replyTo} to reply to in chat ${state.chat.id}`);
      reply = target.message;
    }
    const message: Message & Update.NonChannel = {
      ...content,
      message_id: state.nextMessageId++,
      from: { ...from },
      chat: { ...state.chat },
      date: nowSeconds(),
      ...(reply === undefined ? {} : { reply_to_message: asReply(reply) }),
    };
    state.messages.set(message.message_id, { message, fromBot: false, deleted: false });
    return message;
  }

  private deliverMessage(state: ChatState, message: Message & Update.NonChannel): Update {
    this.markAction();
    const update: Update = { update_id: this.nextUpdateId++, message: structuredClone(message) };
    if (!this.reachesBot(state, message)) {
      this.lastActivity = realNow();
      return update;
    }
    return this.enqueue(update);
  }

  private reachesBot(state: ChatState, message: Message): boolean {
    if (!this.privacyMode || state.chat.type === 'private') return true;
    if (message.new_chat_members !== undefined || message.left_chat_member !== undefined) return true;
    const text = message.text ?? message.caption ?? '';
    if (text.startsWith('/')) return true;
    if (text.toLowerCase().includes(`@${this.bot.username.toLowerCase()}`)) return true;
    return message.reply_to_message?.from?.id === this.bot.id;
  }

  private replyNote(message: Message): string {
    const target = message.reply_to_message;
    if (target === undefined) return '';
    const who = target.from?.id === this.bot.id ? 'bot' : (target.from?.first_name ?? '?');
    return ` (replying to ${who}: "${snippet(target.text ?? target.caption ?? '…')}")`;
  }

  private say(state: ChatState, line: string): void {
    state.lines.push(line);
  }

  private storeFile(kind: 'voice' | 'photos' | 'documents', data: Buffer, extension: string): StoredFile {
    const n = this.nextFileN++;
    const prefix = kind === 'voice' ? 'AwACAgQ' : kind === 'photos' ? 'AgACAgQ' : 'BQACAgQ';
    const file: StoredFile = {
      file_id: `${prefix}AAxkBAAI${String(n).padStart(6, '0')}larder`,
      file_unique_id: `AQAD${String(n).padStart(6, '0')}`,
      file_path: `${kind}/file_${n}.${extension}`,
      data,
    };
    this.files.set(file.file_id, file);
    this.filesByPath.set(file.file_path, file);
    return file;
  }

  /** Two sizes like Telegram's thumbnail and full image; we cannot resize, so both hold the same bytes. */
  private photoSizes(image: Buffer): PhotoSize[] {
    const small = this.storeFile('photos', image, 'jpg');
    const large = this.storeFile('photos', image, 'jpg');
    return [
      { file_id: small.file_id, file_unique_id: small.file_unique_id, width: 320, height: 240, file_size: image.length },
      { file_id: large.file_id, file_unique_id: large.file_unique_id, width: 1280, height: 960, file_size: image.length },
    ];
  }

  private botUser(): User {
    return { id: this.bot.id, is_bot: true, first_name: this.bot.first_name, username: this.bot.username };
  }

  // ----- Bot API methods

  private registerMethods(): void {
    const table: Record<string, Handler> = {
      getMe: () => this.getMe(),
      logOut: () => true,
      close: () => true,
      getWebhookInfo: () => this.getWebhookInfo(),
      setWebhook: (p) => this.setWebhook(p),
      deleteWebhook: (p) => this.deleteWebhook(p),
      sendMessage: (p) => this.sendMessage(p),
      sendPhoto: (p) => this.sendMedia(p, 'photo'),
      sendDocument: (p) => this.sendMedia(p, 'document'),
      editMessageText: (p) => this.editMessage(p, 'editMessageText'),
      editMessageCaption: (p) => this.editMessage(p, 'editMessageCaption'),
      editMessageReplyMarkup: (p) => this.editMessage(p, 'editMessageReplyMarkup'),
      deleteMessage: (p) => this.deleteMessage(p),
      answerCallbackQuery: (p) => this.answerCallbackQuery(p),
      sendChatAction: (p) => this.sendChatAction(p),
      setMessageReaction: (p) => this.setMessageReaction(p),
      setMyCommands: (p) => this.setMyCommands(p),
      getMyCommands: (p) => this.commands(scopeOf(p), optString(p, 'language_code') ?? ''),
      deleteMyCommands: (p) => {
        this.myCommands.delete(commandsKey(scopeOf(p), optString(p, 'language_code') ?? ''));
        return true;
      },
      getChat: (p) => this.getChat(p),
      getChatMember: (p) => this.getChatMember(p),
      getFile: (p) => this.getFile(p),
    };
    // Telegram matches method names without regard to case.
    for (const [name, handler] of Object.entries(table)) this.handlers.set(name.toLowerCase(), handler);
  }

  private getMe(): UserFromGetMe {
    return {
      id: this.bot.id,
      is_bot: true,
      first_name: this.bot.first_name,
      username: this.bot.username,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
  }

  private getWebhookInfo(): WebhookInfo {
    const hook = this.webhookState;
    return {
      url: hook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.queue.length,
      ...(hook === null ? {} : { max_connections: hook.max_connections }),
      ...(this.lastWebhookError === undefined ? {} : { last_error_date: this.lastWebhookError.date, last_error_message: this.lastWebhookError.message }),
      ...(this.allowedUpdates === undefined ? {} : { allowed_updates: this.allowedUpdates as WebhookInfo['allowed_updates'] }),
    };
  }

  private setWebhook(p: Params): true {
    const url = optString(p, 'url') ?? '';
    // An empty url removes the webhook, as on Telegram.
    if (url === '') return this.deleteWebhook(p);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw badRequest('bad webhook: HTTPS url must be provided for webhook');
    const secret = optString(p, 'secret_token');
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw badRequest('secret token contains unallowed characters');
    const allowed = optJson(p, 'allowed_updates');
    if (Array.isArray(allowed)) this.allowedUpdates = allowed.filter((t): t is string => typeof t === 'string');
    if (optBool(p, 'drop_pending_updates')) this.queue = [];
    this.webhookState = { url, max_connections: optInt(p, 'max_connections') ?? 40, ...(secret === undefined ? {} : { secret_token: secret }) };
    this.lastWebhookError = undefined;
    const poll = this.poll;
    if (poll !== undefined) {
      this.poll = undefined;
      realClearTimeout(poll.timer);
      const conflict = new ApiFailure(409, 'Conflict: terminated by setWebhook request').toResponse();
      poll.call.response = conflict;
      sendJson(poll.res, 409, conflict);
    }
    return true;
  }

  private deleteWebhook(p: Params): true {
    this.webhookState = null;
    this.lastWebhookError = undefined;
    if (optBool(p, 'drop_pending_updates')) this.queue = [];
    return true;
  }

  /** The chat a bot call targets; Telegram's errors for unknown chats and users who never started the bot. */
  private targetChat(p: Params): ChatState {
    const raw = p.chat_id;
    if (raw === undefined || raw === null || raw === '') throw badRequest('chat_id is empty');
    if (typeof raw === 'string' && raw.startsWith('@')) throw badRequest('chat not found');
    if (typeof raw !== 'number') throw badRequest('chat not found');
    const state = this.chats.get(raw);
    if (state !== undefined) return state;
    if (this.users.has(raw)) throw new ApiFailure(403, "Forbidden: bot can't initiate conversation with a user");
    throw badRequest('chat not found');
  }

  private formatted(text: string, parseMode: string | undefined, p: Params, entitiesKey: 'entities' | 'caption_entities'): FormattedText {
    const mode = parseMode?.toLowerCase();
    if (mode === 'html') return parseTelegramHtml(text);
    if (mode === undefined || mode === '') {
      const given = optJson(p, entitiesKey);
      if (given === undefined || given === null) return { text, entities: [] };
      if (!Array.isArray(given)) throw badRequest(`can't parse ${entitiesKey} JSON object`);
      return { text, entities: given as MessageEntity[] };
    }
    // Markdown and MarkdownV2 are not parsed here: the text counts as written.
    if (mode === 'markdown' || mode === 'markdownv2') return { text, entities: [] };
    throw badRequest(`unsupported parse_mode "${parseMode}"`);
  }

  private replyTarget(p: Params, state: ChatState): StoredMessage | undefined {
    const params = optJson(p, 'reply_parameters');
    let messageId: number | undefined;
    let allowMissing = optBool(p, 'allow_sending_without_reply');
    if (isRecord(params)) {
      messageId = typeof params.message_id === 'number' ? params.message_id : undefined;
      allowMissing ||= params.allow_sending_without_reply === true;
    } else {
      messageId = optInt(p, 'reply_to_message_id');
    }
    if (messageId === undefined) return undefined;
    const target = state.messages.get(messageId);
    if (target === undefined || target.deleted) {
      if (allowMissing) return undefined;
      throw badRequest('message to be replied not found');
    }
    return target;
  }

  private sendMessage(p: Params): Message {
    const state = this.targetChat(p);
    const raw = optString(p, 'text') ?? '';
    const parseMode = optString(p, 'parse_mode');
    const { text, entities } = this.formatted(raw, parseMode, p, 'entities');
    if (text.trim() === '') throw badRequest('message text is empty');
    if (text.length > TEXT_LIMIT) throw badRequest('message is too long');
    const markup = validateReplyMarkup(optJson(p, 'reply_markup'));
    const replyTo = this.replyTarget(p, state);
    const content = { text, ...(entities.length > 0 ? { entities } : {}) };
    return this.botMessage(state, 'sendMessage', content, { text: raw, parse_mode: parseMode, reply_markup: markup }, replyTo);
  }

  private sendMedia(p: Params, kind: 'photo' | 'document'): Message {
    const state = this.targetChat(p);
    const input = p[kind];
    const rawCaption = optString(p, 'caption');
    const parseMode = optString(p, 'parse_mode');
    const caption = rawCaption === undefined ? undefined : this.formatted(rawCaption, parseMode, p, 'caption_entities');
    if (caption !== undefined && caption.text.length > CAPTION_LIMIT) throw badRequest('message caption is too long');
    const markup = validateReplyMarkup(optJson(p, 'reply_markup'));
    const replyTo = this.replyTarget(p, state);
    let data: Buffer;
    let filename: string | undefined;
    if (isUploadedFile(input)) {
      data = input.data;
      filename = input.filename;
    } else if (typeof input === 'string' && this.files.has(input)) {
      data = this.files.get(input)?.data ?? Buffer.alloc(0);
    } else if (typeof input === 'string' && /^https?:\/\//.test(input)) {
      // Telegram would fetch the URL; the fake does not, so the stored file is empty.
      data = Buffer.alloc(0);
      filename = input.split('/').pop();
    } else {
      throw badRequest(input === undefined ? `there is no ${kind} in the request` : 'wrong file identifier/HTTP URL specified');
    }
    const captionFields = caption === undefined || caption.text === ''
      ? {}
      : { caption: caption.text, ...(caption.entities.length > 0 ? { caption_entities: caption.entities } : {}) };
    let content: Partial<Message>;
    if (kind === 'photo') {
      content = { photo: this.photoSizes(data), ...captionFields };
    } else {
      const file = this.storeFile('documents', data, (filename?.split('.').pop() ?? 'dat').slice(0, 8));
      content = {
        document: {
          file_id: file.file_id,
          file_unique_id: file.file_unique_id,
          file_size: data.length,
          ...(filename === undefined ? {} : { file_name: filename }),
        },
        ...captionFields,
      };
    }
    const method = kind === 'photo' ? 'sendPhoto' : 'sendDocument';
    return this.botMessage(state, method, content, { caption: rawCaption, parse_mode: parseMode, reply_markup: markup }, replyTo);
  }

  private botMessage(
    state: ChatState,
    method: string,
    content: Partial<Message>,
    asSent: MessageContent,
    replyTo: StoredMessage | undefined,
  ): Message {
    const inline = asSent.reply_markup !== undefined && 'inline_keyboard' in asSent.reply_markup ? asSent.reply_markup : undefined;
    const message: Message = {
      ...content,
      message_id: state.nextMessageId++,
      from: this.botUser(),
      chat: { ...state.chat },
      date: nowSeconds(),
      ...(replyTo === undefined ? {} : { reply_to_message: asReply(replyTo.message) }),
      // Telegram echoes only inline keyboards in the Message; reply keyboards stay client-side.
      ...(inline === undefined ? {} : { reply_markup: structuredClone(inline) }),
    };
    const sent: SentMessage = {
      method,
      chat_id: state.chat.id,
      message_id: message.message_id,
      ...dropUndefined(asSent),
      ...(replyTo === undefined ? {} : { reply_to: replyTo.message.message_id }),
      plain: plainOf(message),
      deleted: false,
      edits: [],
      message,
      time: realNow(),
    };
    this.sent.push(sent);
    state.messages.set(message.message_id, { message, fromBot: true, deleted: false, sent });
    this.say(state, `bot: ${indent(sent.plain)}${buttonsOf(asSent.reply_markup)}`);
    return structuredClone(message);
  }

  private storedTarget(p: Params, notFound: string): { state: ChatState; stored: StoredMessage } {
    if (p.inline_message_id !== undefined) throw badRequest('inline messages are not supported by the fake');
    const state = this.targetChat(p);
    const messageId = optInt(p, 'message_id');
    if (messageId === undefined) throw badRequest('message identifier is not specified');
    const stored = state.messages.get(messageId);
    if (stored === undefined || stored.deleted) throw badRequest(notFound);
    return { state, stored };
  }

  private editMessage(p: Params, method: 'editMessageText' | 'editMessageCaption' | 'editMessageReplyMarkup'): Message {
    const { state, stored } = this.storedTarget(p, 'message to edit not found');
    const sent = stored.sent;
    if (!stored.fromBot || sent === undefined) throw badRequest("message can't be edited");
    const old = stored.message;
    // Without reply_markup an edit removes the inline keyboard, as on Telegram.
    const rawMarkup = validateReplyMarkup(optJson(p, 'reply_markup'));
    if (rawMarkup !== undefined && !('inline_keyboard' in rawMarkup)) throw badRequest('inline keyboard expected');
    const markup = rawMarkup;
    const parseMode = optString(p, 'parse_mode');
    const { reply_markup: _oldMarkup, entities: _oldEntities, caption_entities: _oldCaptionEntities, ...rest } = old;
    let next: Message;
    let asSent: MessageContent;
    if (method === 'editMessageText') {
      if (old.text === undefined) throw badRequest('there is no text in the message to edit');
      const raw = optString(p, 'text') ?? '';
      const { text, entities } = this.formatted(raw, parseMode, p, 'entities');
      if (text.trim() === '') throw badRequest('message text is empty');
      if (text.length > TEXT_LIMIT) throw badRequest('MESSAGE_TOO_LONG');
      next = { ...rest, text, ...(entities.length > 0 ? { entities } : {}) };
      asSent = { text: raw, parse_mode: parseMode };
    } else if (method === 'editMessageCaption') {
      if (old.text !== undefined) throw badRequest('there is no caption in the message to edit');
      const raw = optString(p, 'caption') ?? '';
      const { text, entities } = this.formatted(raw, parseMode, p, 'caption_entities');
      if (text.length > CAPTION_LIMIT) throw badRequest('message caption is too long');
      const { caption: _oldCaption, ...withoutCaption } = rest;
      next = { ...withoutCaption, ...(text === '' ? {} : { caption: text }), ...(entities.length > 0 ? { caption_entities: entities } : {}) };
      asSent = { caption: raw, parse_mode: parseMode };
    } else {
      next = {
        ...rest,
        ...(old.entities === undefined ? {} : { entities: old.entities }),
        ...(old.caption_entities === undefined ? {} : { caption_entities: old.caption_entities }),
      };
      asSent = { text: sent.text, caption: sent.caption, parse_mode: sent.parse_mode };
    }
    if (markup !== undefined) next.reply_markup = structuredClone(markup);
    const visible = (m: Message): string => canonical([m.text, m.entities, m.caption, m.caption_entities, m.reply_markup]);
    if (visible(next) === visible(old)) {
      throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    }
    next.edit_date = nowSeconds();
    stored.message = next;
    const edit: SentEdit = { method, time: realNow(), ...dropUndefined({ ...asSent, reply_markup: markup }) };
    sent.edits.push(edit);
    delete sent.text;
    delete sent.caption;
    delete sent.parse_mode;
    delete sent.reply_markup;
    Object.assign(sent, dropUndefined({ ...asSent, reply_markup: markup }));
    sent.plain = plainOf(next);
    sent.message = next;
    this.say(state, `bot (edited): ${indent(sent.plain)}${buttonsOf(markup)}`);
    return structuredClone(next);
  }

  private deleteMessage(p: Params): true {
    const { state, stored } = this.storedTarget(p, 'message to delete not found');
    stored.deleted = true;
    if (stored.sent !== undefined) {
      stored.sent.deleted = true;
      this.say(state, `bot deleted: ${indent(stored.sent.plain)}`);
    } else {
      this.say(state, `bot deleted ${stored.message.from?.first_name ?? '?'}'s "${snippet(stored.message.text ?? stored.message.caption ?? '…')}"`);
    }
    return true;
  }

  private answerCallbackQuery(p: Params): true {
    const id = optString(p, 'callback_query_id') ?? '';
    const query = this.callbackQueries.get(id);
    if (query === undefined || query.answered) {
      throw badRequest('query is too old and response timeout expired or query ID is invalid');
    }
    query.answered = true;
    const text = optString(p, 'text');
    const url = optString(p, 'url');
    const showAlert = p.show_alert === undefined ? undefined : optBool(p, 'show_alert');
    this.callbackAnswers.push(dropUndefined({ callback_query_id: id, text, show_alert: showAlert, url }));
    const state = this.chats.get(query.chatId);
    if (state !== undefined && text !== undefined && text !== '') {
      this.say(state, `bot (${showAlert === true ? 'alert' : 'answer'} to ${query.from.first_name}): ${indent(text)}`);
    }
    return true;
  }

  private sendChatAction(p: Params): true {
    this.targetChat(p);
    const action = optString(p, 'action');
    if (action === undefined || !CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
    return true;
  }

  private setMessageReaction(p: Params): true {
    const { state, stored } = this.storedTarget(p, 'message to react not found');
    const reaction = optJson(p, 'reaction') ?? [];
    if (!Array.isArray(reaction)) throw badRequest("can't parse reaction types JSON object");
    // Bots may set one reaction per message.
    if (reaction.length > 1) throw badRequest('REACTIONS_TOO_MANY');
    const emoji: string[] = [];
    for (const r of reaction) {
      if (!isRecord(r) || r.type !== 'emoji' || typeof r.emoji !== 'string' || !REACTION_EMOJI.has(r.emoji)) throw badRequest('REACTION_INVALID');
      emoji.push(r.emoji);
    }
    const whose = stored.fromBot ? 'its message' : `${stored.message.from?.first_name ?? '?'}'s`;
    const what = `"${snippet(stored.message.text ?? stored.message.caption ?? '…')}"`;
    this.say(state, emoji.length > 0 ? `bot reacted ${emoji.join('')} to ${whose} ${what}` : `bot removed its reaction to ${whose} ${what}`);
    return true;
  }

  private setMyCommands(p: Params): true {
    const commands = optJson(p, 'commands');
    if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
    if (commands.length > 100) throw badRequest('BOT_COMMANDS_TOO_MUCH');
    const list: BotCommand[] = [];
    for (const c of commands) {
      if (!isRecord(c) || typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest('BOT_COMMAND_INVALID');
      if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256) {
        throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
      }
      list.push({ command: c.command, description: c.description });
    }
    this.myCommands.set(commandsKey(scopeOf(p), optString(p, 'language_code') ?? ''), list);
    return true;
  }

  private getChat(p: Params): ChatFullInfo {
    const { chat } = this.targetChat(p);
    const common = {
      accent_color_id: 0,
      max_reaction_count: 11,
      accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false, gifts_from_channels: false },
    };
    return { ...chat, ...common };
  }

  private getChatMember(p: Params): ChatMember {
    const state = this.targetChat(p);
    const userId = optInt(p, 'user_id');
    if (userId === undefined) throw badRequest('user_id is empty');
    if (userId === this.bot.id) return { status: 'member', user: this.botUser() };
    const user = this.users.get(userId);
    if (user === undefined) throw badRequest('user not found');
    return state.members.has(userId) ? { status: 'member', user: { ...user } } : { status: 'left', user: { ...user } };
  }

  private getFile(p: Params): File {
    const file = this.files.get(optString(p, 'file_id') ?? '');
    if (file === undefined) throw badRequest('invalid file_id');
    if (file.data.length > FILE_DOWNLOAD_LIMIT) throw badRequest('file is too big');
    return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.data.length, file_path: file.file_path };
  }
}

// ---------------------------------------------------------------------------
// Small pure helpers

function asReply(message: Message): Message & { reply_to_message: undefined } {
  // Telegram does not nest replies: the quoted message carries no reply_to_message of its own.
  const { reply_to_message: _nested, ...rest } = structuredClone(message);
  return { ...rest, reply_to_message: undefined };
}

/** What a user sees of a message, for `plain` and the transcript. */
function plainOf(message: Message): string {
  if (message.text !== undefined) return message.text;
  const caption = message.caption === undefined ? '' : ` ${message.caption}`;
  if (message.photo !== undefined) return `[photo]${caption}`;
  if (message.document !== undefined) {
    const name = message.document.file_name;
    return `[document${name === undefined ? '' : ` ${name}`}]${caption}`;
  }
  return caption.trim();
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function scopeOf(p: Params): Record<string, unknown> {
  const scope = optJson(p, 'scope');
  return isRecord(scope) ? scope : { type: 'default' };
}

function commandsKey(scope: Readonly<Record<string, unknown>>, languageCode: string): string {
  return `${canonical(scope)}|${languageCode}`;
}

/** Checks a reply_markup the way Telegram does, with its error messages; returns it parsed. */
function validateReplyMarkup(value: unknown): ReplyMarkup | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw badRequest("can't parse reply keyboard markup JSON object");
  if ('inline_keyboard' in value) {
    const rows = value.inline_keyboard;
    if (!Array.isArray(rows)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
    for (const row of rows) {
      if (!Array.isArray(row)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
      for (const button of row) {
        if (!isRecord(button)) throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
        if (typeof button.text !== 'string') throw badRequest(`can't parse inline keyboard button: Field "text" must be of type String`);
        const actions = INLINE_BUTTON_ACTIONS.filter((a) => button[a] !== undefined);
        if (actions.length === 0) throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        const data = button.callback_data;
        if (data !== undefined && (typeof data !== 'string' || Buffer.byteLength(data, 'utf8') < 1 || Buffer.byteLength(data, 'utf8') > CALLBACK_DATA_LIMIT)) {
          throw badRequest('BUTTON_DATA_INVALID');
        }
        const url = button.url;
        if (url !== undefined && (typeof url !== 'string' || !/^(https?|tg):\/\/\S+$/.test(url))) {
          throw badRequest(`inline keyboard button URL '${typeof url === 'string' ? url : JSON.stringify(url)}' is invalid: Wrong HTTP URL`);
        }
      }
    }
    return value as unknown as InlineKeyboardMarkup;
  }
  if ('keyboard' in value) {
    const rows = value.keyboard;
    if (!Array.isArray(rows) || !rows.every((row) => Array.isArray(row))) {
      throw badRequest('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays');
    }
    return value as unknown as ReplyKeyboardMarkup;
  }
  if (value.remove_keyboard === true) return value as unknown as ReplyKeyboardRemove;
  if (value.force_reply === true) return value as unknown as ForceReply;
  throw badRequest("can't parse reply keyboard markup JSON object");
}
