import path from 'node:path';
import { Composer } from 'grammy';
import { LarderError } from '../../core/errors.ts';
import type { LarderContext } from '../context.ts';
import { sendReply } from '../reply.ts';

/** Bots may download files up to 20 MB. */
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/** Where files are downloaded from: `<apiRoot>/file/bot<token>/<file_path>`. */
export interface FileSource {
  token: string;
  apiRoot: string;
}

/** Downloads a file a user sent; its name is the one Telegram stored it under ("file_7.oga"). */
async function download(ctx: LarderContext, source: FileSource, fileId: string): Promise<{ data: Buffer; name: string }> {
  const file = await ctx.api.getFile(fileId);
  if (!file.file_path) throw new LarderError('unavailable:file', 'Telegram did not hand me that file; please send it again.');
  if ((file.file_size ?? 0) > MAX_DOWNLOAD_BYTES) throw new LarderError('limit:file', 'That file is too big for me (the limit is 20 MB).');
  const response = await fetch(`${source.apiRoot}/file/bot${source.token}/${file.file_path}`, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new LarderError('unavailable:file', `I couldn't download that file (HTTP ${response.status}); please send it again.`);
  return { data: Buffer.from(await response.arrayBuffer()), name: path.basename(file.file_path) };
}

/** Voice notes (transcribed → preview → Confirm) and receipt photos (read → preview of pantry items → Confirm). */
export function mediaFeature(source: FileSource): Composer<LarderContext> {
  const composer = new Composer<LarderContext>();

  composer.on(['message:voice', 'message:audio'], async (ctx) => {
    const request = ctx.request();
    // Without an LLM the assistant says plainly that voice needs one; nothing to download.
    if (!ctx.core.llm) {
      await sendReply(ctx, await ctx.assistant.handleVoice(request, Buffer.alloc(0), 'voice.ogg'));
      return;
    }
    await ctx.replyWithChatAction('typing');
    const fileId = ctx.message.voice?.file_id ?? ctx.message.audio?.file_id ?? '';
    const audio = await download(ctx, source, fileId);
    await sendReply(ctx, await ctx.assistant.handleVoice(request, audio.data, audio.name));
  });

  composer.on(['message:photo', 'message:document'], async (ctx, next) => {
    const document = ctx.message.document;
    if (document && !document.mime_type?.startsWith('image/')) return next();
    const request = ctx.request();
    if (!ctx.core.llm) {
      await sendReply(ctx, await ctx.assistant.handlePhoto(request, Buffer.alloc(0), 'image/jpeg'));
      return;
    }
    await ctx.replyWithChatAction('typing');
    // The last size is the full image.
    const fileId = document?.file_id ?? ctx.message.photo?.at(-1)?.file_id ?? '';
    const image = await download(ctx, source, fileId);
    await sendReply(ctx, await ctx.assistant.handlePhoto(request, image.data, document?.mime_type ?? 'image/jpeg'));
  });

  return composer;
}
