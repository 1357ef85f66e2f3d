import { createRequire } from 'node:module';
import type * as Undici from 'undici';

// The agent runs on small VPSes: loading all of undici (fetch, WebSocket, caches, mocks) costs
// ~10 MB of RSS, of which a probe needs three modules. Load just those. The paths are undici 7's
// (pinned in package.json); the probe tests exercise all three on every run.
const require = createRequire(import.meta.url);

/** undici's HTTP/1.1 client: one origin, here one connection per probe. */
export const Client = require('undici/lib/dispatcher/client.js') as typeof Undici.Client;
export type Client = Undici.Client;
/** undici's socket factory, wrapped by connector.ts to pin the IP and time each phase. */
export const buildConnector = require('undici/lib/core/connect.js') as typeof Undici.buildConnector;
const apiRequest = require('undici/lib/api/api-request.js') as (this: Undici.Dispatcher, opts: Undici.Dispatcher.RequestOptions) => Promise<Undici.Dispatcher.ResponseData>;

/** `client.request(opts)` without undici's index, which is what adds `request` to every dispatcher. */
export function request(client: Undici.Client, opts: Undici.Dispatcher.RequestOptions): Promise<Undici.Dispatcher.ResponseData> {
  return apiRequest.call(client, opts);
}
