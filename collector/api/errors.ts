import { ConfigError } from '../../proto/index.js';
import { StoreError, STORE_ERROR_CODES } from '../store/index.js';

/** Stable API error codes and their HTTP statuses (fastify's FST_ERR_* registry, for our API). */
export const API_ERRORS = {
  CP_BAD_REQUEST: 400,
  CP_UNAUTHORIZED: 401,
  CP_FORBIDDEN: 403,
  CP_NOT_FOUND: 404,
  CP_CONFLICT: 409,
  CP_PAYLOAD_TOO_LARGE: 413,
  CP_UNSUPPORTED_MEDIA_TYPE: 415,
  CP_INTERNAL: 500,
  CP_UNAVAILABLE: 503,
} as const;
export type ApiErrorCode = keyof typeof API_ERRORS;

/** The body of every error response: `{ error: { code, message } }`. */
export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string };
}

/** An error the API answers with its code's status; `message` is shown to the client as is. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly statusCode: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.statusCode = API_ERRORS[code];
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export const badRequest = (message: string): ApiError => new ApiError('CP_BAD_REQUEST', message);
export const notFound = (message: string): ApiError => new ApiError('CP_NOT_FOUND', message);

/** A ConfigError from validating a request part (its message already names the field) → 400. */
export function fromConfigError(err: ConfigError): ApiError {
  return new ApiError('CP_BAD_REQUEST', err.message, { cause: err });
}

const STATUS_CODES: ReadonlyMap<number, ApiErrorCode> = new Map(
  (Object.entries(API_ERRORS) as [ApiErrorCode, number][]).map(([code, status]) => [status, code]),
);

/**
 * Whatever a handler or fastify threw, as the API answers it. Client mistakes fastify detects itself
 * (malformed JSON, wrong content type, body too large) keep their status under our codes; anything
 * unexpected is a 500 whose message says nothing of the internals (the log has the details).
 */
export function toApiError(err: unknown): { error: ApiError; internal: boolean } {
  if (err instanceof ApiError) return { error: err, internal: false };
  if (err instanceof ConfigError) return { error: fromConfigError(err), internal: false };
  if (err instanceof StoreError && (err.code === STORE_ERROR_CODES.badQuery || err.code === STORE_ERROR_CODES.badCursor)) {
    return { error: new ApiError('CP_BAD_REQUEST', err.message, { cause: err }), internal: false };
  }
  const e = err as { statusCode?: unknown; message?: unknown; code?: unknown };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { error: new ApiError('CP_UNSUPPORTED_MEDIA_TYPE', 'the body must be JSON, sent with Content-Type: application/json', { cause: err }), internal: false };
  }
  if (status >= 400 && status < 500) {
    const code = STATUS_CODES.get(status) ?? 'CP_BAD_REQUEST';
    const message = typeof e.message === 'string' && e.message !== '' ? e.message : 'bad request';
    return { error: new ApiError(code, message, { cause: err }), internal: false };
  }
  return { error: new ApiError('CP_INTERNAL', 'internal error (see the collector log)', { cause: err }), internal: true };
}
