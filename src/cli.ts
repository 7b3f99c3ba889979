import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isLarderError } from './core/errors.ts';
import { ConfigError, loadConfig } from './config.ts';

// Commands load what they need when they run: `larder parse` should not pay for the database and MCP.
const openCore = async (...args: Parameters<typeof import('./runtime.ts').openCore>) => (await import('./runtime.ts')).openCore(...args);

/** Pasted recipe text larger than this is not a recipe. */
const MAX_RECIPE_BYTES = 1024 * 1024;

/** Reads a file, or standard input when none is named, refusing more than `limit` bytes. */
async function readInput(file: string | undefined, limit: number, usage: string): Promise<string> {
  const { LarderError } = await import('./core/errors.ts');
  const tooBig = () => new LarderError('invalid:input', `The input is larger than ${Math.round(limit / 1024 / 1024)} MB.`);
  if (file === undefined) {
    if (process.stdin.isTTY) throw new LarderError('invalid:input', `Nothing was piped in. Use: ${usage}`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      size += (chunk as Buffer).length;
      if (size > limit) throw tooBig();
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  const fs = await import('node:fs/promises');
  try {
    if ((await fs.stat(file)).size > limit) throw tooBig();
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof LarderError) throw error;
    throw new LarderError('invalid:input', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, undefined, { cause: error });
  }
}

function print(value: unknown, json: boolean, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}

/** Builds the `larder` command; `run` parses argv with it. */
export function buildCli(): Command {
  const program = new Command('larder')
    .description('Larder: a household pantry, shopping-list and recipe assistant (MCP server, Telegram bot, CLI).')
    .showHelpAfterError()
    .configureOutput({ writeOut: (text) => process.stderr.write(text), writeErr: (text) => process.stderr.write(text) });

  program
    .command('serve')
    .description('serve MCP over Streamable HTTP at /mcp (and /healthz); the Telegram bot too when TELEGRAM_BOT_TOKEN is set')
    .option('--port <n>', 'port (default PORT or 3000)')
    .option('--host <h>', 'bind address (default LARDER_HOST or 127.0.0.1)')
    .action(async (options: { port?: string; host?: string }) => {
      const config = loadConfig({
        ...process.env,
        ...(options.port !== undefined ? { PORT: options.port } : {}),
        ...(options.host !== undefined ? { LARDER_HOST: options.host } : {}),
      });
      await (await import('./runtime.ts')).serve(config);
    });

  program
    .command('mcp')
    .description('serve MCP over stdio for the household LARDER_HOUSEHOLD (for Claude Desktop and other local clients)')
    .action(async () => {
      const config = loadConfig();
      const runtime = await openCore(config);
      try {
        const household = await runtime.core.households.ensure(config.LARDER_HOUSEHOLD, { name: config.LARDER_HOUSEHOLD });
        const { serveStdio } = await import('./mcp/stdio.ts');
        await serveStdio({ core: runtime.core, householdId: household.id, log: runtime.log });
      } finally {
        await runtime.close();
      }
    });

  program
    .command('bot')
    .description('run the Telegram bot alone (TELEGRAM_BOT_TOKEN): long polling, or a webhook on PORT when TELEGRAM_WEBHOOK_URL is set')
    .action(async () => {
      await (await import('./runtime.ts')).runBot(loadConfig());
    });

  program
    .command('chat')
    .description('run one message as the bot would and print the reply')
    .requiredOption('--household <name>', 'household name (created if needed)')
    .option('--json', 'print the reply as JSON (text, undo request id)')
    .argument('<text...>', 'the message, e.g. "add milk and eggs"')
    .action(async (words: string[], options: { household: string; json?: boolean }) => {
      const runtime = await openCore(loadConfig());
      try {
        const { newRequest } = await import('./core/context.ts');
        const { htmlToPlain } = await import('./core/assistant/render.ts');
        const household = await runtime.core.households.ensure(options.household, { name: options.household });
        const reply = await runtime.assistant.handle(newRequest(household.id, { door: 'cli', name: 'cli' }), words.join(' '));
        const text = htmlToPlain(reply.html);
        print({ text, understood: reply.understood, undoRequestId: reply.undoRequestId ?? null }, options.json ?? false, () => text);
      } finally {
        await runtime.close();
      }
    });

  program
    .command('prepare')
    .description('save an initialized embedded database, so a new data folder starts in about a second (run by npm install)')
    .option('--if-missing', 'only when there is none yet; never fail (for npm install)')
    .action(async (options: { ifMissing?: boolean }) => {
      const { pgliteTemplatePath, writePgliteTemplate } = await import('./core/db/pglite-template.ts');
      const file = pgliteTemplatePath();
      if (options.ifMissing && fs.existsSync(file)) return;
      try {
        const { bytes } = await writePgliteTemplate(file);
        process.stderr.write(`Larder: saved an initialized embedded database for new data folders (${(bytes / 1024 / 1024).toFixed(1)} MB, ${file}).\n`);
      } catch (error) {
        // npm install must not fail over a start-up shortcut: without it, the first start runs initdb.
        if (!options.ifMissing) throw error;
        process.stderr.write(`Larder: could not prepare the embedded database template (${error instanceof Error ? error.message : String(error)}); the first start will take a few seconds longer.\n`);
      }
    });

  program
    .command('migrate')
    .description('apply database migrations and exit')
    .action(async () => {
      const runtime = await openCore(loadConfig());
      await runtime.close();
      process.stderr.write(`Database is up to date (${runtime.database.kind}).\n`);
    });

  const token = program.command('token').description('manage MCP access tokens');
  token
    .command('create')
    .description('create a token for a household (created if needed); prints only the token')
    .requiredOption('--household <name>', 'household name, e.g. family')
    .option('--label <text>', 'a note to recognise the token by')
    .action(async (options: { household: string; label?: string }) => {
      const runtime = await openCore(loadConfig());
      try {
        const household = await runtime.core.households.ensure(options.household, { name: options.household });
        const created = await runtime.core.tokens.create(household.id, options.label);
        process.stdout.write(`${created.token}\n`);
        process.stderr.write(`Token ${created.info.prefix}… for household "${household.slug}". It is shown only this once.\n`);
      } finally {
        await runtime.close();
      }
    });
  token
    .command('revoke')
    .description('revoke the token(s) starting with TOKEN_PREFIX')
    .argument('<token-prefix>', 'the first characters of the token (at least 8), e.g. lrd_AbCd1234')
    .action(async (prefix: string) => {
      const runtime = await openCore(loadConfig());
      try {
        const revoked = await runtime.core.tokens.revoke(prefix);
        process.stderr.write(`Revoked ${revoked.map((entry) => `${entry.prefix}…`).join(', ')}.\n`);
      } finally {
        await runtime.close();
      }
    });
  token
    .command('list')
    .description("list a household's tokens (prefixes only)")
    .requiredOption('--household <name>', 'household name')
    .option('--json', 'print JSON')
    .action(async (options: { household: string; json?: boolean }) => {
      const runtime = await openCore(loadConfig());
      try {
        const household = await runtime.core.households.findBySlug(options.household);
        const tokens = household ? await runtime.core.tokens.list(household.id) : [];
        print(tokens, options.json ?? false, () =>
          tokens.length === 0
            ? 'No tokens.'
            : tokens
                .map((entry) => `${entry.prefix}…  ${entry.revokedAt ? 'revoked' : 'active'}  created ${entry.createdAt.toISOString()}  last used ${entry.lastUsedAt?.toISOString() ?? 'never'}${entry.label ? `  ${entry.label}` : ''}`)
                .join('\n'),
        );
      } finally {
        await runtime.close();
      }
    });

  program
    .command('parse')
    .description('show how the fast path (no LLM) reads a message')
    .option('--json', 'print one JSON object')
    .option('--time-zone <zone>', 'time zone for reminder times', Intl.DateTimeFormat().resolvedOptions().timeZone)
    .argument('<text...>', 'the message, e.g. "add 2 l milk to costco"')
    .action(async (words: string[], options: { json?: boolean; timeZone: string }) => {
      const { createCatalog } = await import('./core/catalog/catalog.ts');
      const { parseMessage } = await import('./core/nlp/parser.ts');
      const catalog = createCatalog();
      const result = parseMessage(words.join(' '), { now: new Date(), timeZone: options.timeZone, isKnownItem: (phrase) => catalog.isItem(phrase) });
      print(result, options.json ?? false, () => JSON.stringify(result, null, 2));
    });

  program
    .command('categorize')
    .description('the default category the built-in catalog gives each name (no LLM)')
    .option('--json', 'print a JSON array')
    .argument('<names...>', 'item names, e.g. milk "greek yogurt"')
    .action(async (names: string[], options: { json?: boolean }) => {
      const { createCatalog } = await import('./core/catalog/catalog.ts');
      const { DEFAULT_CATEGORIES } = await import('./core/catalog/default-categories.ts');
      const catalog = createCatalog();
      const fallback = DEFAULT_CATEGORIES[DEFAULT_CATEGORIES.length - 1];
      const result = names.map((name) => {
        const match = catalog.lookup(name);
        return { name, category: match?.category ?? fallback, source: match ? 'catalog' : 'default' };
      });
      print(result, options.json ?? false, () => result.map((entry) => `${entry.name}\t${entry.category}`).join('\n'));
    });

  const recipe = program.command('recipe').description('recipes');
  recipe
    .command('parse')
    .description('parse recipe text from standard input with no LLM')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      const { parseRecipeText } = await import('./core/nlp/recipe-text.ts');
      const parsed = parseRecipeText(await readInput(undefined, MAX_RECIPE_BYTES, 'larder recipe parse --json < recipe.txt'));
      const result = {
        title: parsed.title,
        servings: parsed.servings,
        ingredients: parsed.ingredients.map(({ name, amount, unit, note }) => ({ name, amount, unit, note })),
        steps: parsed.steps,
      };
      print(result, options.json ?? false, () => JSON.stringify(result, null, 2));
    });

  program
    .command('export')
    .description('print a household (lists, items, pantry, recipes, categories, history) as one JSON document')
    .requiredOption('--household <name>', 'household name, e.g. family')
    .option('--out <file>', 'write to this file (created with mode 600) instead of standard output')
    .action(async (options: { household: string; out?: string }) => {
      const runtime = await openCore(loadConfig());
      try {
        const exported = await runtime.core.transfer.exportHousehold(options.household);
        const text = `${JSON.stringify(exported, null, 2)}\n`;
        if (options.out === undefined) {
          process.stdout.write(text);
        } else {
          const fs = await import('node:fs/promises');
          // Written aside, then renamed: a crash never leaves half a backup under the real name.
          const aside = `${options.out}.${process.pid}.tmp`;
          await fs.writeFile(aside, text, { mode: 0o600 });
          await fs.rename(aside, options.out);
        }
        process.stderr.write(
          `Exported household "${exported.household.slug}": ${exported.lists.length} lists, ${exported.items.length} items, ` +
            `${exported.pantry.length} pantry entries, ${exported.recipes.length} recipes, ${exported.events.length} history events.\n`,
        );
      } finally {
        await runtime.close();
      }
    });

  program
    .command('import')
    .description('restore a household from a `larder export` file (standard input or --file) as a new household')
    .option('--household <name>', 'restore under this name (default: the one in the file)')
    .option('--file <file>', 'read this file instead of standard input')
    .option('--replace', 'if the household exists, wipe its lists, pantry, recipes and history and restore the file into it (members and tokens stay)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { household?: string; file?: string; replace?: boolean; json?: boolean }) => {
      const { MAX_IMPORT_BYTES, parseHouseholdExport } = await import('./core/services/transfer.ts');
      // Read and check the file before opening the database: a bad file never gets that far.
      const parsed = parseHouseholdExport(await readInput(options.file, MAX_IMPORT_BYTES, 'larder import --household NAME < family.json (or --file family.json)'));
      const runtime = await openCore(loadConfig());
      try {
        const result = await runtime.core.transfer.importHousehold(parsed, { household: options.household, replace: options.replace ?? false });
        const counts = result.counts;
        print(result, options.json ?? false, () =>
          `${result.replaced ? 'Replaced' : 'Imported'} household "${result.household.slug}": ${counts.lists} lists, ${counts.items} items, ` +
          `${counts.pantry} pantry entries, ${counts.recipes} recipes, ${counts.events} history events.`,
        );
      } finally {
        await runtime.close();
      }
    });

  return program;
}

/** Runs the CLI: errors people can act on go to stderr as one message, with a non-zero exit code. */
export async function run(argv: string[]): Promise<number> {
  const program = buildCli().exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (isLarderError(error)) {
      process.stderr.write(`Error: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

process.exitCode = await run(process.argv);
