import type * as Undici from 'undici';
// The agent runs on small VPSes: loading all of undici (fetch, WebSocket, caches, mocks) costs
// ~10 MB of RSS, of which a probe needs three modules. Import just those (static imports, so the
// single-file agent bundle carries them too). The paths are undici 7's (pinned in package.json);
// the probe tests exercise all three on every run. Their types: ./undici-internals.d.ts.
import ClientModule from 'undici/lib/dispatcher/client.js';
import buildConnectorModule from 'undici/lib/core/connect.js';
import apiRequest from 'undici/lib/api/api-request.js';

/** undici's HTTP/1.1 client: one origin, here one connection per probe. */
export const Client = ClientModule;
export type Client = Undici.Client;
/** undici's socket factory, wrapped by connector.ts to pin the IP and time each phase. */
export const buildConnector = buildConnectorModule;

/** `client.request(opts)` without undici's index, which is what adds `request` to every dispatcher. */
export function request(client: Undici.Client, opts: Undici.Dispatcher.RequestOptions): Promise<Undici.Dispatcher.ResponseData> {
  return apiRequest.call(client, opts);
}
