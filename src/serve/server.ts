import { isIP } from 'node:net';
import { readKnown } from '../detect/site/known.js';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from '../core/config.js';
import { PhiRedactError } from '../core/errors.js';
import { loadPipeline, type LoadPipelineOptions } from '../node/createPipeline.js';
import { runFingerprints, toolVersion } from '../node/runs/audit.js';
import { effectivePolicy, usesSurrogate } from '../transform/safeHarbor.js';
import { httpErrorOf, noteFailure } from './httpErrors.js';
import { openApiDocument } from './openapi.js';
import { PipelineCache, type PipelineLoader, type ServedPipeline } from './pipelines.js';
import { parseNoteRequest, requestConfig, type NoteInput, type NoteRequest } from './requests.js';
import { bearerChecker } from './token.js';

/**
 * `phi-redact serve`: Fastify with the pipeline loaded once. The server listens at once (so
 * /healthz answers), loads its pipeline in the background, and is ready (/readyz 200) only when
 * that load — rule packs, word lists, the model with its sha256 checked — has finished.
 *
 * What never leaves a request: its body. Fastify's logger is off; the access log is our own
 * line per request (method, route, status, milliseconds, error code). Error bodies are coded
 * (src/core/errors.ts) and PHI-free; Fastify's own error messages, which may quote the body,
 * are replaced (httpErrors.ts).
 */

export interface ServeOptions {
  /** The server's config (with its `serve` section); requests may merge a partial config over it. */
  readonly config: Config;
  /** What relative paths in the config resolve against. */
  readonly baseDir: string;
  readonly token: Uint8Array;
  /** The surrogate key (needed when a policy uses surrogates; E113 otherwise). */
  readonly key?: Uint8Array;
  /** Where the access log goes (one JSON line per request); undefined: nowhere. */
  readonly accessLog?: NodeJS.WritableStream;
  /** A host that is not loopback is refused (E131) unless this is set (`--allow-remote`). */
  readonly allowRemote?: boolean;
  /** Tests: a stand-in for loadPipeline. */
  readonly loader?: PipelineLoader;
}

export interface PhiServer {
  readonly app: FastifyInstance;
  /** Settles when the server's pipeline has loaded; rejects with its coded load error. */
  readonly ready: Promise<void>;
  /** Starts listening on serve.host:serve.port; resolves to the address (http://host:port). */
  listen(): Promise<string>;
  /** Stops taking requests, lets those in flight finish, then disposes the pipelines. */
  close(): Promise<void>;
}

const OPEN_ROUTES = new Set(['/healthz', '/readyz']);
const PIPELINE_ROUTES = new Set(['/v1/redact', '/v1/analyze']);

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

export function createServer(options: ServeOptions): PhiServer {
  const { config } = options;
  const settings = config.serve;
  if (!isLoopback(settings.host) && options.allowRemote !== true) {
    throw new PhiRedactError('E131', `host ${settings.host} is not a loopback address: add --allow-remote (and put TLS in front) to serve other machines`);
  }
  const load = options.loader ?? loadPipeline;
  const pipelineOptions = (c: Config): LoadPipelineOptions => ({ config: c, baseDir: options.baseDir, ...(options.key !== undefined ? { key: options.key } : {}) });
  const serverConfig = requestConfig(config, undefined);

  let state: 'loading' | 'ready' | 'stopping' = 'loading';
  const serverPipeline = load(pipelineOptions(serverConfig));
  // Observed here so a failed load is not an unhandled rejection; `ready` reports it.
  serverPipeline.catch(() => undefined);
  const ready = serverPipeline.then(() => {
    if (state === 'loading') state = 'ready';
  });
  const cache = new PipelineCache(serverPipeline, serverConfig, (c) => load(pipelineOptions(c)), settings.pipelines);
  const authorized = bearerChecker(options.token);
  let inFlight = 0;

  const app = Fastify({
    logger: false,
    bodyLimit: settings.maxBodyBytes,
    exposeHeadRoutes: false,
    // On close: refuse new requests with 503, close idle keep-alive connections, let the others finish.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  // JSON only: Fastify would otherwise take text/plain bodies as strings.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: settings.maxBodyBytes }, app.getDefaultJsonParser('error', 'error'));

  app.addHook('onRequest', async (request, reply) => {
    const started = performance.now();
    reply.raw.once('close', () => writeAccessLine(options.accessLog, request, reply, started));
    const route = request.routeOptions.url;
    if (route !== undefined && OPEN_ROUTES.has(route)) return;
    if (!authorized(request.headers.authorization)) {
      void reply.header('WWW-Authenticate', 'Bearer');
      throw new PhiRedactError('E134', 'missing or wrong bearer token (Authorization: Bearer <token>)');
    }
    if (route === undefined || !PIPELINE_ROUTES.has(route)) return;
    if (state !== 'ready') throw new PhiRedactError('E136', state === 'loading' ? 'not ready: the pipeline is loading' : 'shutting down');
    if (inFlight >= settings.maxInFlight) throw new PhiRedactError('E136', `busy: ${settings.maxInFlight} requests in flight (serve.maxInFlight)`);
    inFlight += 1;
    // 'close' comes once the response is sent or the client has gone, whichever is first.
    reply.raw.once('close', () => {
      inFlight -= 1;
    });
  });

  // While stopping, each response in flight closes its connection: a keep-alive socket would otherwise hold close() open.
  app.addHook('onSend', async (_request, reply) => {
    if (state === 'stopping') void reply.header('Connection', 'close');
  });

  app.setErrorHandler((err, _request, reply) => {
    const { status, body, retryAfter } = httpErrorOf(err);
    if (retryAfter !== undefined) void reply.header('Retry-After', String(retryAfter));
    (reply as FastifyReply & { phiCode?: string }).phiCode = body.code;
    return reply.code(status).send(body);
  });
  // The path is not repeated: a client may have put anything in it.
  app.setNotFoundHandler(async (request) => {
    throw new PhiRedactError('E138', `no such route (${request.method}); see /openapi.json`);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (state !== 'ready') return reply.code(503).header('Retry-After', '1').send({ status: state });
    const pipeline = await serverPipeline;
    const fp = runFingerprints(pipeline);
    return { status: 'ready', detectors: pipeline.detectors.map((d) => d.id), fingerprints: { config: fp.config, rules: fp.rules, model: fp.model } };
  });
  const document = openApiDocument(toolVersion());
  app.get('/openapi.json', async () => document);

  const serveNotes = (mode: 'redact' | 'analyze') => async (request: FastifyRequest) => {
    const parsed = parseNoteRequest(request.body, settings.maxBatch);
    const effective = requestConfig(config, parsed.config);
    // Before any load: a pipeline that would fail for want of a key is not worth building per request.
    if (options.key === undefined && usesSurrogate(effectivePolicy(effective))) {
      throw new PhiRedactError('E113', 'the policy uses the surrogate operator but the server has no key (--key-file or PHI_REDACT_KEY)');
    }
    return cache.with(effective, async (pipeline) => {
      if (!parsed.batch) return oneNote(pipeline, parsed.notes[0]!, 0, mode, parsed, settings);
      const notes: unknown[] = [];
      for (const [i, note] of parsed.notes.entries()) {
        try {
          notes.push(await oneNote(pipeline, note, i, mode, parsed, settings));
        } catch (err) {
          const { body } = httpErrorOf(noteFailure(err, `note ${i}`));
          notes.push({ ...(note.id !== undefined ? { id: note.id } : {}), error: body });
        }
      }
      return { notes };
    });
  };
  app.post('/v1/redact', serveNotes('redact'));
  app.post('/v1/analyze', serveNotes('analyze'));

  return {
    app,
    ready,
    listen: async () => {
      try {
        await app.listen({ host: settings.host, port: settings.port });
      } catch (err) {
        throw new PhiRedactError('E131', `cannot listen on ${settings.host}:${settings.port} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : settings.port;
      return `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
    },
    close: async () => {
      state = 'stopping';
      await app.close();
      await cache.close();
    },
  };
}

/** One note through the pipeline, within the note's time budget. */
async function oneNote(
  pipeline: ServedPipeline,
  note: NoteInput,
  index: number,
  mode: 'redact' | 'analyze',
  request: NoteRequest,
  settings: Config['serve'],
): Promise<Record<string, unknown>> {
  const where = request.batch ? `note ${index}` : 'note';
  const scoped = pipeline.config.surrogate.scope === 'patient' && note.patientId !== undefined;
  const known = note.known === undefined ? undefined : readKnown(note.known);
  const ctx = {
    ...(note.id !== undefined ? { noteId: note.id } : {}),
    ...(scoped ? { scope: note.patientId } : {}),
    ...(known?.ok === true ? { known: known.known } : {}),
  };
  let analysis: Awaited<ReturnType<ServedPipeline['analyze']>>;
  try {
    analysis = await withinSeconds(pipeline.analyze(note.text, ctx), settings.noteSeconds, where);
  } catch (err) {
    throw noteFailure(err, where);
  }
  const id = note.id !== undefined ? { id: note.id } : {};
  const spanText = (s: { start: number; end: number }) => (settings.spanText ? { text: note.text.slice(s.start, s.end) } : {});
  if (mode === 'analyze') {
    return { ...id, spans: analysis.spans.map((s) => ({ ...plainSpan(s), ...spanText(s) })) };
  }
  let result: ReturnType<ServedPipeline['transform']>;
  try {
    result = pipeline.transform(note.text, analysis, ctx);
  } catch (err) {
    throw noteFailure(err, where);
  }
  return {
    ...id,
    text: result.text,
    spans: result.spans.map((s) => ({ ...plainSpan(s), outStart: s.outStart, outEnd: s.outEnd, operator: s.operator, ...spanText(s) })),
  };
}

function plainSpan(s: { start: number; end: number; label: string; subtype?: string; source: string; score: number }): Record<string, unknown> {
  return { start: s.start, end: s.end, label: s.label, ...(s.subtype !== undefined ? { subtype: s.subtype } : {}), source: s.source, score: s.score };
}

/**
 * The note's budget. The pipeline runs in this thread, so a synchronous step (one rule pass)
 * cannot be cut short; the budget is checked whenever the pipeline yields (the model's calls)
 * and once it is done, and a note past it fails (E137) instead of being answered late.
 */
async function withinSeconds<T>(work: Promise<T>, seconds: number, where: string): Promise<T> {
  const started = performance.now();
  const late = (): PhiRedactError => new PhiRedactError('E137', `${where} ran past serve.noteSeconds (${seconds} s)`);
  if (!(seconds > 0)) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), Math.ceil(seconds * 1000));
  });
  // The abandoned work may still fail later; nobody is waiting for it.
  work.catch(() => undefined);
  try {
    const value = await Promise.race([work, timeout]);
    if (performance.now() - started > seconds * 1000) throw late();
    return value;
  } finally {
    clearTimeout(timer);
  }
}

function writeAccessLine(stream: NodeJS.WritableStream | undefined, request: FastifyRequest, reply: FastifyReply, started: number): void {
  if (stream === undefined) return;
  const line = {
    time: new Date().toISOString(),
    method: request.method,
    // The route pattern, never the raw URL: a path or query string can carry anything.
    route: request.routeOptions.url ?? '(no route)',
    status: reply.raw.statusCode,
    ms: Math.round(performance.now() - started),
    ...((reply as FastifyReply & { phiCode?: string }).phiCode !== undefined ? { code: (reply as FastifyReply & { phiCode?: string }).phiCode } : {}),
  };
  stream.write(`${JSON.stringify(line)}\n`);
}
