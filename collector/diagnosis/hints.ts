import { lowerBound, topK } from '../../common/index.js';
import type { FailureCode, ProvenanceName } from '../../proto/index.js';
import { isoMinute, list, ms, seconds } from './humanize.js';
import { detectMinuteCluster, tallyMinutes } from './minute-of-hour.js';
import { countKeys, median, quantileInPlace } from './stats.js';
import type { DiagnosisOptions, Observation } from './types.js';

/** Where a finding points, in the words its hints use. */
export interface HintScope {
  /** What the finding is about: grid patterns, DNS, or one of our agents. */
  readonly kind: 'lb-node' | 'routing-region' | 'routing-path' | 'origin' | 'tls' | 'dns-zone' | 'dns-resolver' | 'inconclusive' | 'agent';
  /** "203.0.113.7", "x-served-by=lb-3", "region eu-west", "eu-west→203.0.113.7", "every node". */
  readonly where: string;
  /** The region(s) involved, when the scope has some (for mtr/dig "from there"). */
  readonly regions: readonly string[];
  /** The IPs involved, when known (for pinning and tracing). */
  readonly ips: readonly string[];
  /** The failures the finding explains. */
  readonly failures: readonly Observation[];
  /** Every result in the scope, failed or not (latency before failures). */
  readonly observations: readonly Observation[];
  /** What the agents probe, for the commands the hints give; absent or null: placeholders (<target URL>, <host>). */
  readonly endpoint?: Endpoint | null;
}

/** The target as the hints' commands need it: the URL and method the agents probe. */
export interface Endpoint {
  /** The URL without credentials (hints reach chat rooms), quoted for a shell when it needs it. */
  readonly url: string;
  /** curl's flag for the method: '' for GET, ' -I' for HEAD, ' -X POST' … */
  readonly curlMethod: string;
  /** The URL's host (a name, or an IP without brackets): dig's name, openssl's -servername. */
  readonly host: string;
  /** The URL's port, or its scheme's (80, 443). */
  readonly port: number;
}

/** The endpoint of a probed URL and method, or null for a URL that is not http(s). */
export function endpointOf(probe: { readonly url: string; readonly method: string }): Endpoint | null {
  let u: URL;
  try {
    u = new URL(probe.url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  u.username = '';
  u.password = '';
  const method = probe.method.toUpperCase();
  return {
    url: shellWord(u.href),
    curlMethod: method === '' || method === 'GET' ? '' : method === 'HEAD' ? ' -I' : ` -X ${shellWord(method)}`,
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port),
  };
}

/** A word a POSIX shell reads back as it is: as it is when safe, else in single quotes. */
function shellWord(s: string): string {
  return /^[\w.~:/@%+=,-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** An IP as a host in host:port forms (openssl, curl): an IPv6 address in brackets. */
function bracketed(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

function hostPort(ip: string, port: number): string {
  return `${bracketed(ip)}:${port}`;
}

/** A curl command sending the target's request to one node (its IP), with Host, SNI and certificate checks unchanged. */
export function curlTo(ip: string, endpoint: Endpoint | null | undefined): string {
  return `curl -sv${endpoint?.curlMethod ?? ''} --connect-to ::${bracketed(ip)} ${endpoint?.url ?? '<target URL>'}`;
}

const PROXIES: ReadonlySet<ProvenanceName> = new Set<ProvenanceName>([
  'nginx', 'haproxy', 'envoy', 'cloudflare', 'aws-elb', 'cloudfront', 'varnish', 'traefik', 'caddy',
]);

/** Where each proxy says why it answered 502 itself. */
const PROXY_502_LOG: Readonly<Record<string, string>> = {
  nginx: `nginx's error.log ("connect() failed (111: Connection refused) while connecting to upstream", "upstream prematurely closed connection")`,
  haproxy: `HAProxy's log (termination state "SC": the server refused, "SH": the server aborted)`,
  envoy: `Envoy's access log (response flags UF: upstream connection failure, UC: upstream connection termination)`,
  traefik: `Traefik's access log (502 with OriginStatus 0: no response from the backend)`,
  caddy: `Caddy's log ("dial tcp …: connect: connection refused")`,
  cloudflare: `the origin's own logs and firewall (Cloudflare answers 502 when the origin refuses or resets its connection)`,
  'aws-elb': `the load balancer's access logs (elb_status_code 502 with target_status_code "-": the target closed or refused the connection)`,
  cloudfront: `CloudFront's standard logs (x-edge-detailed-result-type OriginConnectError)`,
  varnish: `varnishlog -q 'FetchError' (backend fetch failed)`,
};

/** Each proxy's knob for how long it waits for the upstream's response. */
const PROXY_TIMEOUT: Readonly<Record<string, string>> = {
  nginx: 'nginx proxy_read_timeout (default 60 s; the error.log says "upstream timed out (110: Connection timed out) while reading response header from upstream")',
  haproxy: 'HAProxy "timeout server" (its log shows termination state "sH")',
  envoy: 'the Envoy route timeout (default 15 s; response flag UT)',
  'aws-elb': 'the load balancer idle timeout (default 60 s)',
  cloudfront: 'the CloudFront origin response timeout (default 30 s)',
  varnish: 'Varnish first_byte_timeout (default 60 s)',
  traefik: 'Traefik serversTransport forwardingTimeouts.responseHeaderTimeout',
  caddy: 'Caddy reverse_proxy transport response_header_timeout',
  cloudflare: "Cloudflare's origin timeout (100 s; it answers 524)",
};

function mostCommon<T>(values: readonly T[]): { value: T; count: number } | undefined {
  const counts = countKeys(values, (v) => v);
  let best: { value: T; count: number } | undefined;
  for (const [value, count] of counts) if (best === undefined || count > best.count) best = { value, count };
  return best;
}

function firstByte(o: Observation): number | null {
  return o.firstByteMs ?? null;
}

/** "around 2025-11-22T01:15Z" or "between … and …", for failures from `first` to `last` (ms). */
function between(first: number, last: number): string {
  return last - first < 120_000 ? `around ${isoMinute(first)}` : `between ${isoMinute(first)} and ${isoMinute(last)}`;
}

/** Around when the failures happened (see `between`). */
function when(failures: readonly Observation[]): string {
  if (failures.length === 0) return '';
  let first = Infinity;
  let last = -Infinity;
  for (const o of failures) {
    if (o.atMs < first) first = o.atMs;
    if (o.atMs > last) last = o.atMs;
  }
  return between(first, last);
}

function isProxy(p: ProvenanceName | null): p is ProvenanceName {
  return p !== null && PROXIES.has(p);
}

/**
 * Whether the failures a pattern hint reads (502s, gateway errors) make up at least half of the
 * finding's: a region whose connections are reset, which also saw a few of one node's 502s before,
 * is about the resets, and a 502 hint would send the operator to the wrong logs.
 */
function mostOf(part: number, scope: HintScope): boolean {
  return part * 2 >= scope.failures.length;
}

// The pattern hints below read thousands of failures in an outage: each counts what it tests in one
// pass, and gathers what only its words need (which proxy, which statuses) once the tests pass.

/** Fast 502s made by a proxy: the upstream refused or crashed, it did not time out. */
export function fastProxy502Hint(scope: HintScope, options: DiagnosisOptions): string | undefined {
  let bad = 0;
  let byProxy = 0;
  const times: number[] = [];
  for (const o of scope.failures) {
    if (o.status !== 502) continue;
    bad++;
    if (!isProxy(o.provenance)) continue;
    byProxy++;
    const t = firstByte(o);
    if (t !== null) times.push(t);
  }
  if (!mostOf(bad, scope)) return undefined;
  if (byProxy === 0 || byProxy < options.minFailures || byProxy * 2 < bad) return undefined;
  if (times.length === 0) return undefined;
  const m = median(times);
  if (!(m <= options.fastFirstByteMs)) return undefined;
  const proxies: ProvenanceName[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const o of scope.failures) {
    if (o.status !== 502 || !isProxy(o.provenance)) continue;
    proxies.push(o.provenance);
    if (o.atMs < first) first = o.atMs;
    if (o.atMs > last) last = o.atMs;
  }
  const proxy = mostCommon(proxies)?.value ?? 'the proxy';
  const log = PROXY_502_LOG[proxy] ?? "the proxy's error log";
  return (
    `502s on ${scope.where} are generated by ${proxy} itself within ${ms(m)} (median time to first byte): the upstream behind it ` +
    `refused or dropped the connection (crashed, restarting, not listening) rather than being slow — check the app's service/container ` +
    `logs ${between(first, last)} (journalctl -u <app>.service, docker logs <container>, kubectl logs <pod> --previous) and ${log}`
  );
}

/** 502/503/504 with a first byte: what a proxy read timeout looks like. */
function isTimedGateway(o: Observation): boolean {
  return (o.status === 502 || o.status === 503 || o.status === 504) && firstByte(o) !== null;
}

/** 502/504s whose first byte sits at a constant: a proxy read timeout against a slow upstream. */
export function constantFirstByteHint(scope: HintScope, options: DiagnosisOptions): string | undefined {
  const times: number[] = [];
  for (const o of scope.failures) if (isTimedGateway(o)) times.push(firstByte(o) ?? 0);
  if (times.length < options.minFailures || !mostOf(times.length, scope)) return undefined;
  const m = median(times);
  if (!(m >= options.minTimeoutMs)) return undefined;
  let near = 0;
  for (const t of times) if (Math.abs(t - m) <= options.timeoutTolerance * m) near++;
  if (near < 0.8 * times.length) return undefined;
  const gateway = scope.failures.filter(isTimedGateway);
  const statuses = [...new Set(gateway.map((o) => o.status))].sort().join('/');
  const proxy = mostCommon(gateway.map((o) => o.provenance).filter(isProxy))?.value;
  const knob = proxy === undefined ? 'the proxy read timeout (nginx proxy_read_timeout, HAProxy timeout server, Envoy route timeout)' : PROXY_TIMEOUT[proxy] ?? `${proxy}'s upstream timeout`;
  return (
    `${statuses}s on ${scope.where} arrive after a constant ${seconds(m)} to first byte (${near}/${gateway.length} within ±${Math.round(options.timeoutTolerance * 100)}%): ` +
    `${proxy ?? 'a proxy'} gives up on a slow upstream at a ${seconds(m)} read timeout — find what makes the upstream slow (slow queries, locks, ` +
    `a saturated worker pool) and compare ${knob} with the upstream's slowest responses`
  );
}

/** The 502 came from the application itself, passed through the proxies. */
export function appProvenanceHint(scope: HintScope, options: DiagnosisOptions): string | undefined {
  let bad = 0;
  let app = 0;
  for (const o of scope.failures) {
    if (o.status === null || o.status < 500) continue;
    bad++;
    if (o.provenance === 'app') app++;
  }
  if (app < options.minFailures || app * 2 < bad || !mostOf(bad, scope)) return undefined;
  const fromApp = scope.failures.filter((o) => o.status !== null && o.status >= 500 && o.provenance === 'app');
  const statuses = [...new Set(fromApp.map((o) => o.status))].sort().join('/');
  return (
    `the ${statuses} responses on ${scope.where} are the application's own (passed through the proxies, not generated by them): ` +
    `the app returned the error itself, typically because one of its own dependencies failed — check the app's logs and its dependencies ${when(fromApp)}`
  );
}

/** Failures at the same minutes of the hour, in several different hours: a cron or batch job (see minute-of-hour.ts). */
export function minuteOfHourHint(scope: HintScope, options: DiagnosisOptions): string | undefined {
  if (scope.failures.length < options.minFailures) return undefined;
  const cluster = detectMinuteCluster(tallyMinutes(scope.observations, scope.failures), options);
  if (cluster === null) return undefined;
  const mm = (m: number): string => `:${String(m).padStart(2, '0')}`;
  const at = cluster.first === cluster.last ? `minute ${mm(cluster.first)}` : `minutes ${mm(cluster.first)}–${mm(cluster.last)}`;
  return (
    `failures on ${scope.where} cluster at ${at} of the hour (${cluster.failures}/${cluster.totalFailures} failures, in ${cluster.hours} different hours): ` +
    `a cron or batch job probably runs then (backups, log rotation, reports, cache rebuilds) — look for jobs at ${mm(cluster.first)} ` +
    `(crontab -l, systemctl list-timers, Kubernetes CronJobs) on the hosts behind ${scope.where}`
  );
}

/**
 * The times a probe is "before a failure" (one is due within `lookbackMs` after it): the union of
 * [f − lookbackMs, f) over the failure times f, as sorted disjoint intervals — few, however many
 * failures, since close failures' intervals merge.
 */
function dueIntervals(failures: readonly Observation[], lookbackMs: number): { starts: Float64Array; ends: Float64Array } {
  const times = new Float64Array(failures.length);
  for (let i = 0; i < times.length; i++) times[i] = failures[i]!.atMs;
  times.sort();
  const starts = new Float64Array(times.length);
  const ends = new Float64Array(times.length);
  let n = 0;
  for (const f of times) {
    if (n > 0 && f - lookbackMs <= ends[n - 1]!) ends[n - 1] = f;
    else {
      starts[n] = f - lookbackMs;
      ends[n++] = f;
    }
  }
  return { starts: starts.subarray(0, n), ends: ends.subarray(0, n) };
}

/** Successful probes got slower in the minutes before failures: something is running out. */
export function risingLatencyHint(scope: HintScope, options: DiagnosisOptions): string | undefined {
  if (scope.failures.length === 0) return undefined;
  const { starts, ends } = dueIntervals(scope.failures, options.latencyLookbackMs);
  // the successful probes' latencies, split: a failure due within the lookback after them (from the
  // front of one buffer), or not (from its back)
  const latencies = new Float64Array(scope.observations.length);
  let nBefore = 0;
  let nOtherwise = 0;
  for (const o of scope.observations) {
    const latency = o.firstByteMs ?? o.totalMs ?? null;
    if (!o.ok || latency === null) continue;
    // the last interval starting at or before this probe: is the probe inside it?
    const lo = lowerBound(starts, (s) => s <= o.atMs);
    if (lo > 0 && o.atMs < ends[lo - 1]!) latencies[nBefore++] = latency;
    else latencies[latencies.length - ++nOtherwise] = latency;
  }
  if (nBefore < 5 || nOtherwise < 5) return undefined;
  const a = quantileInPlace(latencies.subarray(latencies.length - nOtherwise), 0.5);
  const b = quantileInPlace(latencies.subarray(0, nBefore), 0.5);
  // A few milliseconds of jitter on a fast endpoint is no trend.
  if (!(b >= options.latencyRiseRatio * a && b - a >= 50)) return undefined;
  return (
    `latency on ${scope.where} rose from a median ${ms(a)} to ${ms(b)} in the ${Math.round(options.latencyLookbackMs / 60_000)} min before failures: ` +
    `the upstream is running out of something — check CPU (top, vmstat 1), memory and OOM kills (free -h, dmesg -T | grep -i oom), ` +
    `file descriptors (ulimit -n vs ls /proc/<pid>/fd | wc -l) and connection limits (ss -s, worker/pool sizes, max connections)`
  );
}

/** Where connections went, for code hints: "to 203.0.113.7", "from region ap-south", "on ap-south→203.0.113.7". */
function connections(scope: HintScope): string {
  switch (scope.kind) {
    case 'routing-region':
      return `connections from ${scope.where}`;
    case 'routing-path':
    case 'inconclusive':
      return `connections on ${scope.where}`;
    default:
      return `connections to ${scope.where}`;
  }
}

const CODE_HINTS: Partial<Record<FailureCode, (c: string, where: string, ip: string, endpoint: Endpoint | null) => string>> = {
  CONNECT_REFUSED: (c) => `${c} are refused: nothing listens on the port (the proxy is down or restarting) or a firewall rejects — systemctl status / ss -ltnp on the node`,
  CONNECT_TIMEOUT: (c) => `${c} time out: SYNs are dropped on the way (a transit network, a firewall or security group) or the node is down or its accept backlog is full (nstat -az TcpExtListenDrops)`,
  NET_UNREACHABLE: (c) => `${c} fail with "network unreachable": a route is missing — check routing on the probing host and the provider's status`,
  CONNECT_RESET: (c) => `${c} are reset: a load balancer or firewall kills them (idle timeouts, a full conntrack table: dmesg | grep conntrack)`,
  RESET_MID_BODY: (c) => `${c} are cut off mid-body: the upstream or a proxy closed the connection while streaming (worker killed, proxy buffering or timeouts)`,
  HEADERS_TIMEOUT: (_, w) => `${w} accepts connections but sends no response headers within the probe timeout: the upstream is stuck or overloaded`,
  BODY_TIMEOUT: (_, w) => `${w} starts responding but the body stalls past the probe timeout: a slow or stuck upstream stream`,
  TLS_HANDSHAKE: (c) => `TLS handshakes on ${c} fail: check the node's TLS configuration (protocols, ciphers, SNI → certificate mapping)`,
  TLS_CERT_EXPIRED: (_, w, ip, e) =>
    `${w} serves an expired certificate — check with openssl s_client -connect ${hostPort(ip, e?.port ?? 443)} -servername ${e?.host ?? '<host>'} </dev/null | openssl x509 -noout -dates, ` +
    `then deploy the renewed certificate and reload the proxy`,
  TLS_CERT_INVALID: (_, w, ip, e) =>
    `${w} serves a certificate that does not validate (wrong name, missing intermediate, unknown issuer) — check with openssl s_client -connect ${hostPort(ip, e?.port ?? 443)} ` +
    `-servername ${e?.host ?? '<host>'} -showcerts`,
  BODY_MISMATCH: (_, w) => `${w} answers with a success status but without the expected body text: an error page served as 200, or the wrong backend/site`,
};

/** A next step, with what kind of observation it came from (to merge the hints of two windows). */
export interface Hint {
  readonly kind: string;
  readonly text: string;
}

const KIND_ORDER = ['finding', 'fast-proxy-502', 'constant-first-byte', 'app-provenance', 'minute-of-hour', 'rising-latency', 'scope', 'code', 'probe-ids'];

/** Hints in reading order: the finding's own, then patterns (most specific), scope, codes, probe ids. */
export function compareHints(a: Hint, b: Hint): number {
  const rank = (h: Hint): number => {
    const i = KIND_ORDER.indexOf(h.kind.split(':')[0] ?? '');
    return i < 0 ? KIND_ORDER.length : i;
  };
  return rank(a) - rank(b);
}

/** One hint per failure code that makes up at least a quarter of the failures. */
export function codeHints(scope: HintScope): Hint[] {
  const total = scope.failures.length;
  if (total === 0) return [];
  const counts = countKeys(scope.failures, (o) => o.failure);
  return [...counts.entries()]
    .filter(([, n]) => n * 4 >= total)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .flatMap(([code]) => {
      const hint = CODE_HINTS[code];
      const ip = scope.ips.length === 1 ? scope.ips[0] ?? '<ip>' : '<ip>';
      return hint === undefined ? [] : [{ kind: `code:${code}`, text: hint(connections(scope), scope.where, ip, scope.endpoint ?? null) }];
    });
}

/** What the shape of the finding says to look at next. */
export function scopeHints(scope: HintScope): string[] {
  const ip = scope.ips[0];
  const region = scope.regions[0];
  const port = scope.endpoint?.port ?? '<port>';
  const host = scope.endpoint?.host ?? '<host>';
  switch (scope.kind) {
    case 'lb-node':
      return [
        `only ${scope.where} fails: check that node's upstream health checks (does it keep sending traffic to a dead upstream?), its connection ` +
          `limits (worker_connections, maxconn, upstream keepalive) and how it resolves its upstream (a stale upstream DNS answer) — compare its ` +
          `config with a healthy node's, or take it out of rotation${ip === undefined ? '' : ` (reproduce with ${curlTo(ip, scope.endpoint)})`}`,
      ];
    case 'routing-region':
      return [
        `only region ${region ?? '?'} fails, on every node it reaches: trace the network path from there — mtr -rwzbc 100 -T -P ${port} ${ip ?? '<node IP>'} ` +
          `from an agent in ${region ?? 'that region'}, next to the same from a healthy region — and check the provider's status for ${region ?? 'that region'}`,
      ];
    case 'routing-path':
      return [
        `only the path ${scope.where} fails: run mtr -rwzbc 100 -T -P ${port} ${ip ?? '<node IP>'} from ${region ?? 'that region'} and from another region; ` +
          `loss near the end points at ${ip ?? 'the node'}'s ingress (firewall, rate limits or ACLs for ${region ?? 'that region'}'s addresses), loss midway at a transit network`,
      ];
    case 'origin':
      return [
        `${scope.where} fails from every region: the application or something every node shares (database, cache, a shared upstream, a deploy) — ` +
          `check the app's logs, its dependencies and recent deploys ${when(scope.failures)}`,
      ];
    case 'dns-zone':
      return [
        `every region fails to resolve the target: check the zone at its authoritative servers — dig +trace ${host}, dig @<each NS> ${host} SOA ` +
          `(serials in step?), dig +dnssec ${host} (expired signatures), and the delegation at the registrar`,
      ];
    case 'dns-resolver':
      return [
        `only ${list(scope.regions)} fail${scope.regions.length === 1 ? 's' : ''} to resolve the target: suspect the resolver the agents there use (--dns-server) ` +
          `or the path to it — dig @<that resolver> ${host} from there next to dig @1.1.1.1 ${host}`,
      ];
    case 'agent':
      return [
        `check the agent's own host: its network (mtr to a control target), its resolver (--dns-server), its source address and its clock; ` +
          `its results stay set aside while this holds`,
      ];
    case 'tls':
    case 'inconclusive':
      return [];
  }
}

/**
 * Every probe carries its result id in a header: quote a few that got an HTTP response (the others
 * never reached a proxy's log) so the operator can grep for them.
 */
export function probeIdHint(scope: HintScope, max: number): string | undefined {
  if (max === 0 || scope.kind === 'dns-zone' || scope.kind === 'dns-resolver') return undefined;
  // the newest few that got a response (on the same millisecond, the first listed first), kept in
  // order while scanning from the end: failures come oldest first, so the scan keeps the first few it
  // meets and passes over the rest, with no sort of thousands of failures for three
  const newest = topK(scope.failures, Math.min(3, max), (a, b) => b.atMs - a.atMs, { where: (o) => o.status !== null, fromEnd: true });
  const ids = newest.map((o) => o.resultId);
  if (ids.length === 0) return undefined;
  return `the failing probes sent a crossprobe-probe-id header: grep the proxy and app logs behind ${scope.where} for ${list(ids)}`;
}

/** Every hint for a scope: `extra` (the finding's own) first, then patterns (the most specific), scope and codes. */
export function hintsFor(scope: HintScope, options: DiagnosisOptions, extra: readonly string[] = []): Hint[] {
  const patterns: [string, string | undefined][] = [
    ['fast-proxy-502', fastProxy502Hint(scope, options)],
    ['constant-first-byte', constantFirstByteHint(scope, options)],
    ['app-provenance', appProvenanceHint(scope, options)],
    ['minute-of-hour', minuteOfHourHint(scope, options)],
    ['rising-latency', risingLatencyHint(scope, options)],
  ];
  const hints: Hint[] = [
    ...extra.map((text, i) => ({ kind: `finding:${i}`, text })),
    ...patterns.flatMap(([kind, text]) => (text === undefined ? [] : [{ kind, text }])),
    ...scopeHints(scope).map((text, i) => ({ kind: `scope:${i}`, text })),
    ...codeHints(scope),
  ];
  const probeIds = probeIdHint(scope, options.maxSamples);
  if (probeIds !== undefined) hints.push({ kind: 'probe-ids', text: probeIds });
  const seen = new Set<string>();
  return hints.filter((h) => {
    if (seen.has(h.text)) return false;
    seen.add(h.text);
    return true;
  });
}
