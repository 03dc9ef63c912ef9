// `pgferry status --serve`: a read-only fastify server with one self-contained page (HTML, script and
// styles shipped in the package, nothing from the internet), the live status as server-sent events and
// the same JSON as `status --json`. There is no route that changes anything: approve, cutover and abort
// stay on the command line. Beyond loopback it needs a bearer token and TLS, like the agent.

import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { StatusStream } from './status-stream.js';

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'status-page');

const ASSETS: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/page.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
  '/page.css': { file: 'page.css', type: 'text/css; charset=utf-8' },
};

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface StatusServerOptions {
  readonly stream: StatusStream;
  /** Viewers present it as `Authorization: Bearer …`, or once as `/?token=…` (then a cookie). */
  readonly token: string | null;
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | null;
}

const COOKIE = 'pgferry_status';
const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

function presentedToken(request: FastifyRequest): string | null {
  const bearer = /^Bearer ([\x21-\x7e]+)$/.exec(request.headers.authorization ?? '');
  if (bearer) return bearer[1]!;
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return decodeURIComponent(value.join('='));
  }
  const query = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof query === 'string' ? query : null;
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: { code, message } });
}

export async function buildStatusServer(options: StatusServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' } } : {}),
  } as FastifyServerOptions);
  const assets = new Map<string, Buffer>();
  for (const [path, asset] of Object.entries(ASSETS)) assets.set(path, await readFile(join(PAGE_DIR, asset.file)));
  const expected = options.token === null ? null : digest(options.token);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header(
      'content-security-policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    );
    if (expected === null) return;
    const presented = presentedToken(request);
    if (presented === null || !timingSafeEqual(digest(presented), expected))
      return refuse(reply, 401, 'UNAUTHORIZED', 'authentication required');
    // A token given in the address becomes a cookie, and the address loses it (history, screen shares).
    if ((request.query as Record<string, unknown> | undefined)?.token !== undefined && request.method === 'GET') {
      const secure = options.tls ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${COOKIE}=${encodeURIComponent(presented)}; HttpOnly; SameSite=Strict; Path=/${secure}`,
      );
      return reply.redirect(request.url.split('?')[0]!, 303);
    }
  });

  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (_request, reply) =>
      reply.type(asset.type).header('cache-control', 'no-cache').send(assets.get(path)),
    );
  }

  app.get('/status.json', async (_request, reply) => {
    const json = options.stream.latestJson;
    if (json === null) return refuse(reply, 503, 'NOT_READY', 'the first status poll has not finished yet');
    return reply.type('application/json; charset=utf-8').header('cache-control', 'no-store').send(json);
  });

  app.get('/events', (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...(reply.getHeaders() as Record<string, string>),
    });
    const header = request.headers['last-event-id'];
    const query = (request.query as Record<string, unknown> | undefined)?.lastEventId;
    options.stream.attach(
      reply.raw,
      typeof header === 'string' ? header : typeof query === 'string' ? query : undefined,
    );
  });

  app.setNotFoundHandler((request, reply) =>
    refuse(
      reply,
      404,
      'NOT_FOUND',
      `no route ${request.method} ${request.url.split('?')[0]}: this page is read-only; approve, cutover and abort run from the command line`,
    ),
  );
  return app;
}

export interface ServeOptions {
  readonly stream: StatusStream;
  readonly host: string;
  readonly port: number;
  readonly token: string | null;
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | null;
}

export interface ServingStatus {
  readonly url: string;
  close(): Promise<void>;
}

export class ServeRefused extends Error {}

/** Beyond loopback: a token of 16 characters or more and TLS, or no server at all. */
export function checkExposure(host: string, token: string | null, tls: boolean): void {
  if (token !== null && token.length < 16) throw new ServeRefused('the status token is shorter than 16 characters');
  if (isLoopback(host)) return;
  if (token === null || !tls)
    throw new ServeRefused(
      `--listen ${host} is not loopback: set PGFERRY_STATUS_TOKEN and give --tls-cert and --tls-key (the page shows hosts, slots and errors)`,
    );
}

/** Polls once, then listens; close() stops the polling and the server. */
export async function serveStatus(options: ServeOptions): Promise<ServingStatus> {
  checkExposure(options.host, options.token, options.tls !== null);
  await options.stream.start();
  const app = await buildStatusServer(options);
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await options.stream.stop();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}/`,
    async close() {
      await options.stream.stop();
      await app.close();
    },
  };
}
