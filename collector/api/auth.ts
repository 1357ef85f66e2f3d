import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';
import type { Access } from './route.js';

/**
 * Bearer tokens: `api` allows everything; `read`, when set, is required for reads (the api token also
 * reads). With no `api` token, writes are refused unless `openWrites` (--insecure-open-api) says anyone
 * may write.
 */
export interface ApiTokens {
  readonly api: string | null;
  readonly read: string | null;
  readonly openWrites: boolean;
}

/** What a write is answered with (403) by a collector that has no API token and was not told to be open. */
export const NO_API_TOKEN_MESSAGE =
  'writes are refused: this collector has no API token. Set CROSSPROBE_API_TOKEN (or --api-token) and send it as "Authorization: Bearer <token>", ' +
  'or start the collector with --insecure-open-api to let anyone who reaches the API write';

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
 * Checks a request's credentials for `access`; throws 401 (no or unknown token) or 403 (the read token
 * on a write; 403 for any write when no API token is configured, unless `openWrites`). Reads are open
 * while no read token is. Writes need the Authorization header; reads also accept the session cookie a browser got from
 * `?token=` (see tokenLogin): a browser cannot send a bearer header when it navigates. The cookie never
 * authorizes a write, so a page another site makes a browser load can change nothing.
 */
export function authorize(tokens: ApiTokens, access: Access, authorization: string | undefined, cookie?: string | undefined): void {
  if (access === 'public') return;
  const needed = access === 'write' ? tokens.api : (tokens.read ?? null);
  if (needed === null) {
    // closed by default: an operator who forgot the token must not get an API anyone can change
    if (access === 'write' && !tokens.openWrites) throw new ApiError('CP_FORBIDDEN', NO_API_TOKEN_MESSAGE);
    return;
  }
  const token = bearer(authorization);
  if (token === null) {
    if (access === 'read' && validSession(tokens, cookieValue(cookie, SESSION_COOKIE))) return;
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

/** The cookie a browser holds after `?token=`: HttpOnly, SameSite=Strict, for reads only. */
export const SESSION_COOKIE = 'crossprobe_session';

/**
 * The session cookie's value for a token: an HMAC keyed by the token, so the cookie jar never holds
 * the token itself, and rotating the token ends every session made with it.
 */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('crossprobe-session-v1').digest('base64url');
}

function validSession(tokens: ApiTokens, value: string | null): boolean {
  if (value === null) return false;
  const presented = digest(value);
  return [tokens.read, tokens.api].some((t) => t !== null && timingSafeEqual(presented, digest(sessionValue(t))));
}

/** The value of cookie `name` in a Cookie header, or null. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** What a `?token=` request is answered with: a redirect to the same URL without the token, and the cookie to set. */
export interface TokenLogin {
  /** Path and query, the token removed. */
  readonly location: string;
  /** The Set-Cookie header; null while reads are open (no cookie needed). */
  readonly setCookie: string | null;
}

/**
 * A GET of a read route whose query carries `token=` (a browser's way in: a link or a bookmark): a valid
 * read or API token becomes the session cookie, and the answer is a 303 to the same URL without the
 * token, so it stays out of the address bar, the history and later logs. Null when there is no `token`
 * parameter (or the route is not a read); throws 401 for a token that is not valid.
 */
export function tokenLogin(tokens: ApiTokens, access: Access, method: string, url: string, secure: boolean): TokenLogin | null {
  if (access !== 'read' || method !== 'GET') return null;
  const q = url.indexOf('?');
  if (q < 0) return null;
  const token = new URLSearchParams(url.slice(q + 1)).get('token');
  if (token === null) return null;
  const location = withoutToken(url);
  if (tokens.read === null) return { location, setCookie: null };
  const presented = digest(token);
  if (!same(presented, tokens.read) && !same(presented, tokens.api)) throw new ApiError('CP_UNAUTHORIZED', 'the token is not valid');
  return { location, setCookie: `${SESSION_COOKIE}=${sessionValue(token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}` };
}

/** Path and query of `url` without its `token` parameter(s). */
export function withoutToken(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  if (!params.has('token')) return url;
  params.delete('token');
  const rest = params.toString();
  return `${url.slice(0, q)}${rest === '' ? '' : `?${rest}`}`;
}

/** A URL as logs may show it: the value of a `token` query parameter replaced. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/g, '$1REDACTED');
}
