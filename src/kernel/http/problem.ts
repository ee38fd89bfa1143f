import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { isDatabaseBusy, isDatabaseUnreachable, SeamsError, TooManyRequestsError, UnavailableError } from '../errors.js';

/** RFC 9457 problem details. Never carries a stack trace. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, detail: string, extra: { code?: string; errors?: unknown } = {}): Problem {
  return {
    type: `https://seams.dev/problems/${extra.code ?? TITLES[status]?.toLowerCase().replace(/ /g, '-') ?? 'error'}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(extra.errors !== undefined ? { errors: extra.errors } : {}),
  };
}

export function sendProblem(res: Response, status: number, detail: string, extra: { code?: string; errors?: unknown; retryAfter?: number } = {}): void {
  if (extra.retryAfter !== undefined) res.setHeader('Retry-After', String(extra.retryAfter));
  res.status(status).type('application/problem+json').send(JSON.stringify(problem(status, detail, extra)));
}

/** The same on a bare node response (before express is mounted, or from a proxy's error hook). */
export function endWithProblem(res: ServerResponse, status: number, detail: string, retryAfter?: number): void {
  res.writeHead(status, { 'content-type': 'application/problem+json', ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}) });
  res.end(JSON.stringify(problem(status, detail)));
}

/** What node's HTTP parser rejects before express sees a request, as a status and a detail. */
const CLIENT_ERRORS: Record<string, [status: number, detail: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'the request headers are larger than 16 KB'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request did not arrive in time'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'the chunk extensions are too large'],
};

/**
 * The server's `clientError` listener: a request node's parser refuses (headers over 16 KB, a
 * malformed request line) gets a problem+json answer too, not node's bare status line, and the
 * connection closes, as node would close it.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, detail] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'the request is not well-formed HTTP'];
  const body = JSON.stringify(problem(status, detail));
  socket.end(
    `HTTP/1.1 ${status} ${TITLES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Body-parser failures carry `type` and `status`; they are the client's fault. */
interface ParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** The one place errors become responses: known errors keep their status, anything else is a logged 500 without details. */
export function problemHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (error instanceof SeamsError && error.status < 500) {
      return sendProblem(res, error.status, error.message, {
        code: error.code,
        errors: error.errors,
        retryAfter: error instanceof TooManyRequestsError ? error.retryAfterSeconds : undefined,
      });
    }
    if (error instanceof UnavailableError) {
      return sendProblem(res, 503, error.message, { code: error.code, retryAfter: error.retryAfterSeconds });
    }
    // The database away (restarting) or busy (another process holds the write lock past busy_timeout):
    // the client sends the request again; under its Idempotency-Key it acts once.
    const state = isDatabaseUnreachable(error) ? 'unreachable' : isDatabaseBusy(error) ? 'busy' : undefined;
    if (state) {
      (req as { log?: Logger }).log?.warn({ err: error }, `the database is ${state}`);
      return sendProblem(res, 503, `the database is ${state} right now; try again shortly`, { code: 'unavailable', retryAfter: state === 'busy' ? 1 : 2 });
    }
    const parser = error as ParserError;
    if (parser?.type === 'entity.too.large') return sendProblem(res, 413, 'the request body is larger than 1 MB');
    if (parser?.type === 'entity.parse.failed') return sendProblem(res, 400, 'the request body is not valid JSON', { code: 'malformed-json' });
    // express could not percent-decode a path parameter (`/users/%E0%A4%A`): the client's URL is malformed.
    if (error instanceof URIError && parser.status === 400) return sendProblem(res, 400, 'a path parameter is not valid percent-encoding', { code: 'malformed-path' });
    if (parser?.expose && parser.status && parser.status >= 400 && parser.status < 500) {
      return sendProblem(res, parser.status, (error as Error).message);
    }
    // With pino-http off (log level above info) there is no req.log: keep the request id anyway.
    const logger = (req as { log?: Logger }).log ?? log.child({ reqId: (req as { id?: unknown }).id });
    logger.error({ err: error }, 'unhandled error');
    sendProblem(res, 500, 'the server failed to handle this request; it has been logged');
  };
}
