import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Core } from '../core/core.ts';
import type { Logger } from '../core/log.ts';
import { buildMcpServer } from './server.ts';

/**
 * Serves MCP over stdin/stdout for one household (Claude Desktop's way of running a local
 * server). Resolves when the client closes the connection.
 */
export async function serveStdio(options: { core: Core; householdId: number; log: Logger }): Promise<void> {
  const server = buildMcpServer(options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  options.log.info({ householdId: options.householdId }, 'MCP on stdio ready');
  await closed;
  await server.close();
}
