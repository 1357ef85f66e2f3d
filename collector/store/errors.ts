/** Stable codes of store errors (the API maps them to HTTP statuses). */
export const STORE_ERROR_CODES = {
  badCursor: 'ERR_STORE_BAD_CURSOR',
  badQuery: 'ERR_STORE_BAD_QUERY',
  schemaTooNew: 'ERR_STORE_SCHEMA_TOO_NEW',
} as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[keyof typeof STORE_ERROR_CODES];

/** A request the store cannot serve, or a database it cannot use. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    message: string,
    readonly code: StoreErrorCode,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
