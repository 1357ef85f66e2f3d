/** An error answer of the API (or no answer at all: status 0, code CP_UNREACHABLE). */
export class ApiClientError extends Error {
  override readonly name = 'ApiClientError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

/** A small client of the collector API, as the CLI commands use it. */
export interface ApiClient {
  /** The API's base, e.g. http://127.0.0.1:8080 */
  readonly base: string;
  /** JSON in, JSON out; throws ApiClientError with the server's own message on an error status. */
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

/** `--api` as users write it: with or without a trailing slash or /api/v1. */
export function normalizeApiBase(api: string): string {
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    throw new ApiClientError(`--api must be the collector's URL, e.g. http://127.0.0.1:8080 (got ${JSON.stringify(api)})`, 0, 'CP_BAD_URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ApiClientError(`--api must be an http:// or https:// URL (got ${JSON.stringify(api)})`, 0, 'CP_BAD_URL');
  }
  return url.href.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

export function apiClient(api: string, token: string | null, timeoutMs = 30_000): ApiClient {
  const base = normalizeApiBase(api);
  return {
    base,
    async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        throw new ApiClientError(`cannot reach the collector API at ${base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, 0, 'CP_UNREACHABLE');
      }
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        parsed = null;
      }
      if (!res.ok) {
        const e = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
        const message = typeof e?.message === 'string' ? e.message : `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
        throw new ApiClientError(message, res.status, typeof e?.code === 'string' ? e.code : `HTTP_${res.status}`);
      }
      return { status: res.status, body: parsed as T };
    },
  };
}
