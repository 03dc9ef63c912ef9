// The fastify app: one auth hook (bearer token + per-route scopes), strict ajv (no stripping, no
// coercion), and one error envelope for everything — our own refusals, validation errors, 404, 413, 415.

import { randomUUID } from 'node:crypto';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
  LogController,
} from 'fastify';
import { requireScopes } from './auth.js';
import type { Scope } from './config/types.js';
import type { AgentContext, Principal } from './context.js';
import { AgentError, toAgentError } from './errors.js';
import { requirePackage } from './require-package.js';
import { registerRoutes } from './routes.js';
import { schemaCompilers, type ValidatorFactory } from './validators/precompiled.js';

const fastify: typeof import('fastify') = requirePackage('fastify');

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scopes a token needs for this route; absent means no authentication (health only). */
    scopes?: readonly Scope[];
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface BuildOptions {
  readonly logger?: FastifyServerOptions['logger'];
  readonly https?: Record<string, unknown> | null;
  /** Per-request log lines (default: fastify's own); see requestLogController. */
  readonly logController?: LogController;
  /** How request schemas become validators: the precompiled ones unless the generator is recording. */
  readonly validators?: ValidatorFactory;
}

/** The path of a URL without its query string: query strings may carry secrets and are never logged. */
export const pathOnly = (url: string) => url.split('?')[0] ?? url;

/** The agent's log: no headers at all (tokens), and request URLs without their query string. */
export function agentLogger(stream?: { write(line: string): void }): FastifyServerOptions['logger'] {
  return {
    level: 'info',
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: pathOnly(req.url),
        remoteAddress: req.ip,
      }),
    },
    ...(stream ? { stream } : {}),
  } as FastifyServerOptions['logger'];
}

/** Request logging switched through a LogController (the top-level option is deprecated: FSTDEP023). */
export function requestLogController(disableRequestLogging: boolean): LogController {
  return new fastify.LogController({ disableRequestLogging });
}

/**
 * The answer bytes: JSON.stringify, memoised per answer object (a route that serves one cached object, as
 * /v1/slots does between two catalog queries, serialises it once). Not fastify's schema-compiled
 * serializer: that one drops any field its schema does not declare, silently, and compiles code for
 * every route at start-up; the answers' schemas are the contract instead, checked by
 * test/agent/contract.test.ts.
 */
const serialised = new WeakMap<object, string>();
export function memoJson(answer: unknown): string {
  if (typeof answer !== 'object' || answer === null) return JSON.stringify(answer);
  let text = serialised.get(answer);
  if (text === undefined) {
    text = JSON.stringify(answer);
    serialised.set(answer, text);
  }
  return text;
}

function envelope(reply: FastifyReply, request: FastifyRequest, error: AgentError): FastifyReply {
  return reply.code(error.status).type('application/json; charset=utf-8').send(error.toBody(request.id));
}

function translate(error: FastifyError): AgentError {
  if (error instanceof AgentError) return error;
  if (error.validation) {
    const context = error.validationContext ?? 'body';
    return new AgentError(
      'SCHEMA_INVALID',
      `${context} does not match the schema: ${error.validation.map((v) => `${v.instancePath || '/'} ${v.message}${v.keyword === 'additionalProperties' ? ` '${String((v.params as { additionalProperty?: string }).additionalProperty)}'` : ''}`).join('; ')}`,
      {
        details: error.validation.map((v) => ({
          in: context,
          path: v.instancePath || '/',
          keyword: v.keyword,
          message: v.message ?? '',
          params: v.params,
        })),
      },
    );
  }
  if (
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    error instanceof SyntaxError
  ) {
    return new AgentError('SCHEMA_INVALID', `body is not valid JSON: ${error.message}`);
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new AgentError(
      'BODY_TOO_LARGE',
      'request body is larger than the agent accepts (limits.bodyBytes in the agent config); send a smaller body or raise the limit',
    );
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new AgentError('UNSUPPORTED_MEDIA_TYPE', 'send JSON (content-type: application/json)');
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return new AgentError('URI_TOO_LONG', 'a path parameter is longer than 100 characters');
  if (error.code === 'FST_ERR_BAD_URL') return new AgentError('BAD_REQUEST', 'the URL is not valid (bad escape)');
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new AgentError('BAD_REQUEST', error.message);
  }
  return toAgentError(error);
}

export function buildApp(ctx: AgentContext, options: BuildOptions = {}): FastifyInstance {
  const app = fastify.default({
    logger: options.logger ?? false,
    ...(options.logController ? { logController: options.logController } : {}),
    // fastify's own refusals (a path parameter over maxParamLength, a malformed URL) get the envelope too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      envelope(reply, request, translate(error)),
    bodyLimit: ctx.config.limits.bodyBytes,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    ...(options.https ? { https: options.https } : {}),
    // Strict validators (no stripping, no coercion, first error only), precompiled: validators/generate.ts.
    schemaController: { compilersFactory: schemaCompilers(memoJson, options.validators) },
  } as FastifyServerOptions);

  app.decorateRequest('principal', null);
  // JSON only: a text body is a 415, not a string that happens to fail the schema.
  app.removeContentTypeParser('text/plain');

  // Mutations per token per minute (reads and metrics are not limited; they are served from caches).
  const recent = new Map<string, number[]>();
  const rateLimit = (request: FastifyRequest, reply: FastifyReply): AgentError | null => {
    if (!['POST', 'DELETE'].includes(request.method) || request.principal === null) return null;
    const now = Date.now();
    const key = request.principal.tokenId;
    const times = (recent.get(key) ?? []).filter((t) => now - t < 60_000);
    if (times.length >= ctx.config.limits.mutationsPerMinute) {
      reply.header('retry-after', String(Math.ceil((60_000 - (now - times[0]!)) / 1000)));
      return new AgentError(
        'RATE_LIMITED',
        `more than ${ctx.config.limits.mutationsPerMinute} changes a minute for token '${key}'`,
      );
    }
    times.push(now);
    recent.set(key, times);
    return null;
  };

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const scopes = request.routeOptions.config?.scopes;
    if (scopes === undefined) return;
    try {
      request.principal = ctx.tokens.authenticate(request.headers.authorization);
      requireScopes(request.principal, scopes);
      const limited = rateLimit(request, reply);
      if (limited) throw limited;
    } catch (error) {
      const agentError = toAgentError(error);
      await ctx.state
        .audit({
          kind: 'refusal',
          method: request.method,
          path: pathOnly(request.url),
          principal: request.principal?.tokenId ?? null,
          clientIp: request.ip,
          errorCode: agentError.code,
        })
        .catch(() => undefined);
      // 401 carries no detail about which part was wrong.
      return envelope(
        reply,
        request,
        agentError.code === 'UNAUTHORIZED' ? new AgentError('UNAUTHORIZED', 'authentication required') : agentError,
      );
    }
  });

  // Idempotency-Key: a retried mutating request gets the first successful answer instead of acting twice.
  const idempotent = new Map<string, { status: number; body: string; contentType: string; at: number }>();
  const idempotencyKey = (request: FastifyRequest) => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '' || !['POST', 'DELETE'].includes(request.method)) return null;
    return `${request.principal?.tokenId ?? ''} ${request.method} ${request.url} ${key}`;
  };
  app.addHook('preHandler', async (request, reply) => {
    const key = idempotencyKey(request);
    const hit = key ? idempotent.get(key) : undefined;
    if (hit) return reply.code(hit.status).type(hit.contentType).header('idempotent-replay', 'true').send(hit.body);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const key = idempotencyKey(request);
    if (key && reply.statusCode < 300 && typeof payload === 'string' && !idempotent.has(key)) {
      const now = Date.now();
      for (const [k, v] of idempotent) if (now - v.at > 86_400_000) idempotent.delete(k);
      idempotent.set(key, {
        status: reply.statusCode,
        body: payload,
        contentType: String(reply.getHeader('content-type') ?? 'application/json'),
        at: now,
      });
    }
    return payload;
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const agentError = translate(error);
    if (agentError.status >= 500 && agentError.code === 'INTERNAL') request.log.error({ err: error }, 'internal error');
    return envelope(reply, request, agentError);
  });

  app.setNotFoundHandler((request, reply) =>
    envelope(reply, request, new AgentError('NOT_FOUND', `no route ${request.method} ${pathOnly(request.url)}`)),
  );

  registerRoutes(app, ctx);
  return app;
}
