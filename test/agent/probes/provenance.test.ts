import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { detectProvenance, PROVENANCE_BODY_LIMIT } from '../../../agent/probes/provenance.js';
import type { ProvenanceName } from '../../../proto/index.js';
import { freePort, startNginx, type Nginx } from '../../helpers/nginx.js';
import { repoRoot } from '../../helpers/paths.js';

const FIXTURES = join(repoRoot, 'test', 'fixtures', 'provenance');

interface Captured {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * A fixture is a raw HTTP/1.1 response: status line, headers, a blank line, then the body byte for
 * byte (CRLF where the real server sends CRLF). Header names are lower-cased, repeats joined.
 */
function loadFixture(file: string): Captured {
  const raw = readFileSync(join(FIXTURES, file), 'utf8');
  const split = /\r?\n\r?\n/.exec(raw);
  if (split === null) throw new Error(`${file}: no blank line after the headers`);
  const [statusLine = '', ...headerLines] = raw.slice(0, split.index).split(/\r?\n/);
  const status = /^HTTP\/\d(?:\.\d)? (\d{3})\b/.exec(statusLine)?.[1];
  if (status === undefined) throw new Error(`${file}: bad status line ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`${file}: bad header line ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(status), headers, body: raw.slice(split.index + split[0].length) };
}

/** undici's headers as detectProvenance takes them: lower-case names, one string each. */
function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const FIXTURE_CASES: readonly { readonly file: string; readonly want: ProvenanceName | null }[] = [
  // each proxy's own error pages
  { file: 'nginx-502.http', want: 'nginx' },
  { file: 'nginx-503.http', want: 'nginx' },
  { file: 'nginx-504-tokens-off-padded.http', want: 'nginx' },
  { file: 'openresty-502.http', want: 'nginx' },
  { file: 'haproxy-502.http', want: 'haproxy' },
  { file: 'haproxy-503.http', want: 'haproxy' },
  { file: 'haproxy-504.http', want: 'haproxy' },
  { file: 'envoy-503-connect-failure.http', want: 'envoy' },
  { file: 'envoy-503-no-healthy-upstream.http', want: 'envoy' },
  { file: 'envoy-504-upstream-timeout.http', want: 'envoy' },
  { file: 'envoy-503-overflow-empty.http', want: 'envoy' },
  { file: 'istio-502-reset.http', want: 'envoy' },
  { file: 'cloudflare-502.http', want: 'cloudflare' },
  { file: 'cloudflare-522.http', want: 'cloudflare' },
  { file: 'cloudflare-502-plain-page.http', want: 'cloudflare' },
  { file: 'cloudflare-502-error-code-text.http', want: 'cloudflare' },
  { file: 'cloudflare-520-empty.http', want: 'cloudflare' },
  { file: 'aws-alb-502.http', want: 'aws-elb' },
  { file: 'aws-alb-503.http', want: 'aws-elb' },
  { file: 'aws-alb-504.http', want: 'aws-elb' },
  { file: 'aws-alb-503-fixed-response.http', want: 'aws-elb' },
  { file: 'cloudfront-502.http', want: 'cloudfront' },
  { file: 'cloudfront-504.http', want: 'cloudfront' },
  { file: 'varnish-503.http', want: 'varnish' },
  { file: 'fastly-503.http', want: 'varnish' },
  { file: 'traefik-502.http', want: 'traefik' },
  { file: 'traefik-504.http', want: 'traefik' },
  { file: 'traefik-503-no-available-server.http', want: 'traefik' },
  { file: 'caddy-502.http', want: 'caddy' },
  // stacked layers: whoever generated the body, whatever the outer hops' headers say
  { file: 'cloudflare-over-nginx-502.http', want: 'nginx' },
  { file: 'nginx-over-haproxy-503.http', want: 'haproxy' },
  { file: 'cloudfront-over-alb-502.http', want: 'aws-elb' },
  { file: 'cloudflare-over-alb-502.http', want: 'aws-elb' },
  { file: 'fastly-over-envoy-503.http', want: 'envoy' },
  // passed through from the application, behind proxies whose headers are all present
  { file: 'app-json-502-behind-nginx.http', want: 'app' },
  { file: 'app-django-500.http', want: 'app' },
  { file: 'app-express-500.http', want: 'app' },
  { file: 'app-express-sendstatus-502.http', want: 'app' },
  { file: 'app-go-http-error-502.http', want: 'app' },
  { file: 'app-json-502-via-envoy.http', want: 'app' },
  { file: 'app-json-503-via-cloudfront.http', want: 'app' },
  { file: 'app-html-502-via-fastly.http', want: 'app' },
  { file: 'app-text-502-via-caddy.http', want: 'app' },
  { file: 'app-json-502-via-cloudflare.http', want: 'app' },
  // nothing tells
  { file: 'empty-502.http', want: 'unknown' },
  { file: 'empty-502-via-cloudflare.http', want: 'unknown' },
  { file: 'apache-proxy-502.http', want: 'unknown' },
  // not an error: not judged
  { file: 'nginx-200.http', want: null },
  { file: 'nginx-404.http', want: null },
];

describe('provenance - captured responses', () => {
  for (const { file, want } of FIXTURE_CASES) {
    test(`provenance - ${file} is ${want ?? 'not judged'}`, () => {
      const r = loadFixture(file);
      assert.equal(detectProvenance(r.status, r.headers, r.body), want);
    });
  }
});

describe('provenance - rules', () => {
  test('provenance - statuses below 500 are not judged, 500 and above are', () => {
    const page = loadFixture('nginx-502.http');
    assert.equal(detectProvenance(499, page.headers, page.body), null);
    assert.equal(detectProvenance(302, {}, ''), null);
    assert.equal(detectProvenance(500, page.headers, page.body), 'nginx');
    assert.equal(detectProvenance(599, {}, ''), 'unknown');
  });

  test('provenance - only the first 8 KiB of the body is judged', () => {
    const filler = `<!DOCTYPE html><html><body>${'<p>lorem ipsum</p>\n'.repeat(600)}`;
    const signed = (at: number) => `${filler.slice(0, at)}<h3>Guru Meditation:</h3><p>XID: 1</p></body></html>`;
    assert.equal(detectProvenance(503, {}, signed(PROVENANCE_BODY_LIMIT - 100)), 'varnish');
    assert.equal(detectProvenance(503, {}, signed(PROVENANCE_BODY_LIMIT + 100)), 'app');
  });

  test('provenance - an app quoting a proxy message inside its own body stays app', () => {
    const quoted = '<!DOCTYPE html><html><body><p>Our upstream said: no healthy upstream</p><hr><center>nginx</center></body></html>';
    assert.equal(detectProvenance(502, { server: 'envoy', 'x-envoy-upstream-service-time': '3' }, quoted), 'app');
    assert.equal(detectProvenance(502, { 'content-type': 'text/plain' }, 'Bad Gateway: upstream crashed'), 'app');
  });

  test('provenance - a proxy Server header with an empty body proves nothing for relaying proxies', () => {
    // nginx, Cloudflare and Varnish always put a body on the errors they generate themselves.
    assert.equal(detectProvenance(502, { server: 'nginx' }, ''), 'unknown');
    assert.equal(detectProvenance(503, { server: 'Varnish', 'x-varnish': '32770' }, '  \r\n'), 'unknown');
    // Envoy relayed it (x-envoy-upstream-service-time): its server header says nothing of the origin.
    assert.equal(detectProvenance(503, { server: 'envoy', 'x-envoy-upstream-service-time': '7' }, ''), 'unknown');
  });

  test('provenance - header values are matched case-insensitively', () => {
    assert.equal(detectProvenance(502, { server: 'CADDY' }, ''), 'caddy');
    assert.equal(detectProvenance(502, { server: 'AWSELB/2.0' }, ''), 'aws-elb');
  });
});

describe('provenance - real nginx', () => {
  let nginx: Nginx | undefined;
  let upstream: Server | undefined;
  const agent = new Agent();
  const appBody = '{"error":{"code":"UPSTREAM_DOWN","message":"payments backend unavailable"}}';

  before(async () => {
    upstream = createServer((req, res) => {
      if (req.url === '/app') {
        res.writeHead(502, { 'content-type': 'application/json' }).end(appBody);
      }
      // /slow: never answers; nginx's proxy_read_timeout turns that into its own 504.
    });
    const upstreamPort = await freePort();
    await new Promise<void>((resolve, reject) => {
      upstream?.once('error', reject).listen(upstreamPort, '127.0.0.1', () => resolve());
    });
    const deadPort = await freePort(); // nothing listens: nginx's connect is refused
    nginx = await startNginx({
      servers: `
  server {
    listen 127.0.0.1:{{port}};
    location /dead { proxy_pass http://127.0.0.1:${deadPort}; }
    location /app { proxy_pass http://127.0.0.1:${upstreamPort}; }
    location /slow { proxy_pass http://127.0.0.1:${upstreamPort}; proxy_read_timeout 300ms; }
    location /missing { return 404; }
  }`,
    });
  });

  after(async () => {
    await nginx?.stop();
    upstream?.closeAllConnections();
    await new Promise<void>((resolve) => (upstream?.listening === true ? upstream.close(() => resolve()) : resolve()));
    await agent.close();
  });

  async function get(path: string): Promise<Captured> {
    if (nginx === undefined) throw new Error('nginx did not start');
    const res = await request(`http://127.0.0.1:${nginx.port}${path}`, { dispatcher: agent });
    return { status: res.statusCode, headers: flatHeaders(res.headers), body: await res.body.text() };
  }

  test('provenance - a real nginx 502 from a refused upstream is nginx', async () => {
    const r = await get('/dead');
    assert.equal(r.status, 502);
    assert.match(r.headers['server'] ?? '', /^nginx/);
    assert.equal(detectProvenance(r.status, r.headers, r.body), 'nginx');
  });

  test('provenance - a real nginx 504 from a silent upstream is nginx', async () => {
    const r = await get('/slow');
    assert.equal(r.status, 504);
    assert.equal(detectProvenance(r.status, r.headers, r.body), 'nginx');
  });

  test("provenance - an app's own JSON 502 relayed by real nginx is app", async () => {
    const r = await get('/app');
    assert.equal(r.status, 502);
    assert.match(r.headers['server'] ?? '', /^nginx/, 'nginx relayed it');
    assert.equal(r.body, appBody, 'the body is the app’s');
    assert.equal(detectProvenance(r.status, r.headers, r.body), 'app');
  });

  test('provenance - a real nginx 404 page is not judged', async () => {
    const r = await get('/missing');
    assert.equal(r.status, 404);
    assert.equal(detectProvenance(r.status, r.headers, r.body), null);
  });
});

describe('nginx helper', () => {
  test('nginx helper - stop ends the master process and removes its prefix', async () => {
    const n = await startNginx({ servers: 'server { listen 127.0.0.1:{{port}}; return 204; }' });
    try {
      const res = await request(`http://127.0.0.1:${n.port}/`, { reset: true });
      await res.body.dump();
      assert.equal(res.statusCode, 204);
    } finally {
      await n.stop();
    }
    assert.throws(() => process.kill(n.pid, 0), { code: 'ESRCH' });
    await assert.rejects(access(n.prefix), { code: 'ENOENT' });
  });

  test('nginx helper - a config that does not use {{port}} is refused', async () => {
    await assert.rejects(startNginx({ servers: 'server { listen 127.0.0.1:8080; }' }), /must listen on \{\{port\}\}/);
  });
});
