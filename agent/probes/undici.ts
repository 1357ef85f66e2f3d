import type * as Undici from 'undici';
// The agent runs on small VPSes: loading all of undici (fetch, WebSocket, caches, mocks) costs
// ~10 MB of RSS, of which a probe needs two modules. Import just those (static imports, so the
// single-file agent bundle carries them too). The paths are undici 7's (pinned in package.json);
// the probe tests exercise both on every run. Their types: ./undici-internals.d.ts.
import ClientModule from 'undici/lib/dispatcher/client.js';
import buildConnectorModule from 'undici/lib/core/connect.js';

/** undici's HTTP/1.1 client: one origin, here one connection per probe, driven through `dispatch`. */
export const Client = ClientModule;
export type Client = Undici.Client;
/** undici's socket factory, wrapped by connector.ts to pin the IP and time each phase. */
export const buildConnector = buildConnectorModule;
