import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Clock } from '../core/clock.ts';
import type { Core } from '../core/core.ts';
import type { Logger } from '../core/log.ts';
import { createRateLimiter, DEFAULT_MCP_RPM } from '../core/rate-limit.ts';
import { createMcpServerPool } from './server.ts';

/** DESIGN §4: request bodies above 1 MB get 413. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** How long close() waits for requests in flight before cutting their connections. */
export const CLOSE_GRACE_MS = 10_000;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export interface HttpServerOptions {
  core: Core;
  log: Logger;
  port: number;
  host: string;
  /** Extra Host/Origin values accepted besides localhost (LARDER_ALLOWED_ORIGINS). */
  allowedOrigins?: string[];
  /** Extra routes (the Telegram webhook) tried before the MCP ones. */
  extraRoutes?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;
  /** Requests per minute allowed per token (LARDER_MCP_RPM, default 120); `clock` lets tests move time. */
  rateLimit?: { requestsPerMinute: number; clock?: Clock };
}

export interface RunningHttpServer {
  server: http.Server;
  url: string;
  port: number;
  /**
   * Stops taking connections and resolves once the requests in flight are answered; connections
   * still busy after `graceMs` (default 10 s) are cut.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** The host part of a Host header or Origin URL, lowercase, without the port. */
function hostnameOf(value: string, isOrigin: boolean): string | null {
  try {
    return new URL(isOrigin ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * DNS-rebinding defence: a browser page on another site can reach 127.0.0.1, but its requests
 * carry that site's Origin and Host. Only local names and configured ones are let through.
 */
export function isAllowedHost(value: string | undefined, isOrigin: boolean, allowed: readonly string[]): boolean {
  if (value === undefined) return !isOrigin ? false : true;
  if (allowed.includes(value) || allowed.includes('*')) return true;
  const hostname = hostnameOf(value, isOrigin);
  if (hostname === null) return false;
  if (LOCAL_HOSTS.has(hostname)) return true;
  return allowed.some((entry) => {
    const allowedHost = hostnameOf(entry, entry.includes('://'));
    return allowedHost !== null && allowedHost === hostname;
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function jsonRpcError(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code: status === 401 ? -32001 : -32000, message }, id: null }, headers);
}

/** Reads a request body up to `limit` bytes; null when it is larger. */
async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** The bearer token of a request, if it has one. */
function bearerToken(req: http.IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * Serves MCP over Streamable HTTP at /mcp (stateless: every request carries its token, which
 * selects the household), /healthz, and any extra routes. Binds where it is told (127.0.0.1 by
 * default).
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { core, log } = options;
  const allowed = options.allowedOrigins ?? [];
  // Building a server per stateless request cost as much as a small tool call: reuse them.
  const servers = createMcpServerPool({ core, log });
  const requestsPerMinute = options.rateLimit?.requestsPerMinute ?? DEFAULT_MCP_RPM;
  const limiter = createRateLimiter({ limit: requestsPerMinute, clock: options.rateLimit?.clock });

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error, path: req.url }, 'HTTP request failed');
      if (!res.headersSent) jsonRpcError(res, 500, 'Internal error; nothing was changed.');
      else res.end();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // Extra routes (the Telegram webhook) come from the outside world under the public host name and carry their own secret.
    if (options.extraRoutes && (await options.extraRoutes(req, res))) return;
    if (!isAllowedHost(req.headers.host, false, allowed) || !isAllowedHost(req.headers.origin, true, allowed)) {
      log.warn({ host: req.headers.host, origin: req.headers.origin }, 'refused a request from a host that is not allowed');
      jsonRpcError(res, 403, 'Forbidden: this Host or Origin is not allowed. Add it to LARDER_ALLOWED_ORIGINS to serve it.');
      return;
    }
    if (path === '/healthz') {
      try {
        await core.db.execute('select 1');
        sendJson(res, 200, { ok: true });
      } catch {
        sendJson(res, 503, { ok: false, error: 'database unavailable' });
      }
      return;
    }
    if (path !== '/mcp') {
      sendJson(res, 404, { error: 'Not found. MCP is served at /mcp.' });
      return;
    }

    // Authentication comes before anything else about the request, so no tool ever runs unauthenticated.
    const token = bearerToken(req);
    const verified = token === null ? null : await core.tokens.verify(token);
    if (!verified) {
      req.resume();
      jsonRpcError(res, 401, token === null ? 'Missing bearer token. Create one with: larder token create --household NAME' : 'Invalid or revoked token.', {
        'www-authenticate': 'Bearer realm="larder"',
      });
      return;
    }

    // Keyed by token, after authentication and before the body is read: a flood is neither parsed nor run.
    const decision = limiter.take(String(verified.tokenId));
    if (!decision.allowed) {
      req.resume();
      const retryAfter = Math.ceil(decision.retryAfterMs / 1000);
      if (decision.first) log.warn({ tokenId: verified.tokenId, householdId: verified.householdId, retryAfter }, 'MCP rate limit reached for a token');
      jsonRpcError(res, 429, `Too many requests: a token may make ${requestsPerMinute} requests a minute. Retry in ${retryAfter} s.`, { 'retry-after': String(retryAfter) });
      return;
    }

    if (req.method !== 'POST') {
      req.resume();
      // Stateless server: no standalone SSE stream and no session to delete.
      jsonRpcError(res, 405, 'Method not allowed: send JSON-RPC requests with POST.', { allow: 'POST' });
      return;
    }
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === null) {
      jsonRpcError(res, 413, `Request body too large: the limit is ${MAX_BODY_BYTES} bytes.`);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      sendJson(res, 400, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: the body is not JSON.' }, id: null });
      return;
    }

    const householdId = verified.householdId;
    const mcp = servers.acquire(householdId);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      // Answered in full: no handler still runs on this server, so the next request may reuse it.
      const answered = res.writableFinished;
      void transport.close().then(() => servers.release(householdId, mcp, answered));
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    port: address.port,
    url: `http://${shownHost}:${address.port}`,
    close: ({ graceMs = CLOSE_GRACE_MS } = {}) =>
      new Promise<void>((resolve) => {
        // A client stalled mid-request must not hold a shutdown (and the database) open for minutes.
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
