import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';
import type { Access } from './route.js';

/** Bearer tokens: `api` allows everything; `read`, when set, is required for reads (the api token also reads). */
export interface ApiTokens {
  readonly api: string | null;
  readonly read: string | null;
}

// Hashing first gives both sides the same length, so the comparison time says nothing about the
// token's length either.
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function same(presented: Buffer, expected: string | null): boolean {
  return expected !== null && timingSafeEqual(presented, digest(expected));
}

function bearer(header: string | undefined): string | null {
  if (header === undefined) return null;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m ? m[1]! : null;
}

/**
 * Checks a request's Authorization header for `access`; throws 401 (no or unknown token) or 403 (the
 * read token on a write). Writes are open only while no API token is configured; reads only while no
 * read token is.
 */
export function authorize(tokens: ApiTokens, access: Access, authorization: string | undefined): void {
  if (access === 'public') return;
  const needed = access === 'write' ? tokens.api : (tokens.read ?? null);
  if (needed === null) return;
  const token = bearer(authorization);
  if (token === null) {
    throw new ApiError('CP_UNAUTHORIZED', `${access === 'write' ? 'writes' : 'reads'} need an "Authorization: Bearer <token>" header`);
  }
  const presented = digest(token);
  const isApi = same(presented, tokens.api);
  const isRead = same(presented, tokens.read);
  if (access === 'write') {
    if (isApi) return;
    if (isRead) throw new ApiError('CP_FORBIDDEN', 'the read token cannot write; use the API token');
    throw new ApiError('CP_UNAUTHORIZED', 'the bearer token is not valid');
  }
  if (isApi || isRead) return;
  throw new ApiError('CP_UNAUTHORIZED', 'the bearer token is not valid');
}
