import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { issueCert, makeCa } from './certs.js';
import { startDnsServer, type DnsServer, type DnsZone } from './dns.js';
import {
  LAB_ERROR_CODES,
  LabError,
  nextEdge,
  normalizeFault,
  seededRandom,
  type Fault,
  type FaultContext,
  type FaultSpec,
} from './faults.js';
import { LbNode, listenShared, type ConnectionAction, type ConnectionInfo, type LbPolicy, type Protocol, type RequestAction } from './lb.js';
import { Iptables, kernelRules, pathFaultsFor, pathVerdict, type KernelTopology, type NetMode } from './netfault.js';
import { startOrigin, type Origin, type OriginBehaviour } from './origin.js';
import { TruthLog, isActive, type TruthEntry } from './truth.js';

/** What startLab builds. A plain object; unknown keys are rejected. */
export interface LabSpec {
  /** The hostname the lab's DNS answers and its nodes serve, e.g. "shop.lab". */
  readonly name: string;
  /** How many load-balancer nodes (on 127.0.0.11, 127.0.0.12, ...), or their IPs. */
  readonly nodes: number | readonly string[];
  /** Serve HTTPS too (certificates made at start; lab.url is then the https one). Default false. */
  readonly https?: boolean;
  /** Application servers behind every node (round-robin). Default 1. */
  readonly origins?: number;
  /** What a healthy origin answers. Default "ok". */
  readonly body?: string;
  /** Region name → the source address its agents bind (e.g. { eu: "127.0.1.1" }). Default none. */
  readonly regions?: Readonly<Record<string, string>>;
  /** Path of lab.url. Default "/health". */
  readonly path?: string;
  /** HTTP port shared by every node. Default: a free one. */
  readonly port?: number;
  /** HTTPS port shared by every node. Default: a free one. */
  readonly httpsPort?: number;
  /** Port of the DNS server (UDP and TCP on 127.0.0.1). Default: a free one. */
  readonly dnsPort?: number;
  /** Also answer AAAA ::1, served by the first node. Default false. */
  readonly ipv6?: boolean;
  /** The nodes' proxy read timeout (nginx proxy_read_timeout): a slower origin gets a 504. Default 5000. */
  readonly proxyTimeoutMs?: number;
  /**
   * How path faults are realised: `userland` (default; no privileges), `kernel` (iptables; fails when
   * not root or iptables does not work), `auto` (kernel when it works, else userland).
   */
  readonly netMode?: NetMode | 'auto';
  /** Seed of the rate decisions (the same seed and request order give the same hits). Default: random. */
  readonly seed?: number;
}

/** A load-balancer node. */
export interface LabNode {
  /** "lb-1", "lb-2", ...: also its `x-served-by`. */
  readonly name: string;
  readonly ip: string;
  /** ::1 for the first node when spec.ipv6, else null. */
  readonly ipv6: string | null;
}

/** A region of agents: they bind `sourceAddress`, which is how the nodes and the DNS tell them apart. */
export interface LabRegion {
  readonly name: string;
  readonly sourceAddress: string;
}

/** An application server behind the nodes. */
export interface LabOrigin {
  /** "app-1", ...: also the `x-upstream` the nodes send. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

interface NormalizedSpec {
  readonly name: string;
  readonly nodes: readonly { readonly name: string; readonly ip: string; readonly ipv6: string | null }[];
  readonly https: boolean;
  readonly origins: number;
  readonly body: string;
  readonly regions: readonly LabRegion[];
  readonly path: string;
  readonly port: number;
  readonly httpsPort: number;
  readonly dnsPort: number;
  readonly proxyTimeoutMs: number;
  readonly netMode: NetMode | 'auto';
  readonly seed: number;
}

const SPEC_KEYS = ['name', 'nodes', 'https', 'origins', 'body', 'regions', 'path', 'port', 'httpsPort', 'dnsPort', 'ipv6', 'proxyTimeoutMs', 'netMode', 'seed'];
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const REGION = /^[a-z0-9-]{1,63}$/;
const MAX_NODES = 100;
const MAX_ORIGINS = 20;
const FIRST_NODE_OCTET = 11;

const show = (v: unknown): string => (v === undefined ? 'undefined' : JSON.stringify(v));
const specError = (message: string): LabError => new LabError(LAB_ERROR_CODES.spec, `lab spec: ${message}`);

function intIn(value: unknown, min: number, max: number, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw specError(`${field} must be an integer from ${min} to ${max} (got ${show(value)})`);
  }
  return value;
}

/** Checks a spec and fills in defaults; throws a LabError naming the first problem. */
export function normalizeSpec(spec: unknown): NormalizedSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw specError(`must be an object (got ${show(spec)})`);
  const s = spec as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(s)) if (!SPEC_KEYS.includes(key)) throw specError(`unknown key ${show(key)} (allowed: ${SPEC_KEYS.join(', ')})`);

  const name = s['name'];
  if (typeof name !== 'string' || !HOSTNAME.test(name) || isIP(name) !== 0) throw specError(`name must be a hostname like "shop.lab" (got ${show(name)})`);

  const ipv6 = s['ipv6'] ?? false;
  if (typeof ipv6 !== 'boolean') throw specError(`ipv6 must be true or false (got ${show(ipv6)})`);
  let ips: string[];
  const nodes = s['nodes'];
  if (typeof nodes === 'number') {
    ips = Array.from({ length: intIn(nodes, 1, MAX_NODES, 'nodes', 1) }, (_, i) => `127.0.0.${FIRST_NODE_OCTET + i}`);
  } else if (Array.isArray(nodes) && nodes.length >= 1 && nodes.length <= MAX_NODES) {
    ips = nodes.map((ip: unknown, i) => {
      if (typeof ip !== 'string' || isIP(ip) === 0) throw specError(`nodes[${i}] must be an IP address (got ${show(ip)})`);
      return ip;
    });
    const dup = ips.find((ip, i) => ips.indexOf(ip) !== i);
    if (dup !== undefined) throw specError(`nodes lists ${dup} twice`);
  } else {
    throw specError(`nodes must be a number of nodes (1 to ${MAX_NODES}) or a list of their IPs (got ${show(nodes)})`);
  }
  if (ipv6 && ips.includes('::1')) throw specError('ipv6 adds ::1 to the first node, but nodes already lists ::1');

  const https = s['https'] ?? false;
  if (typeof https !== 'boolean') throw specError(`https must be true or false (got ${show(https)})`);
  const body = s['body'] ?? 'ok';
  if (typeof body !== 'string') throw specError(`body must be a string (got ${show(body)})`);
  const path = s['path'] ?? '/health';
  if (typeof path !== 'string' || !path.startsWith('/')) throw specError(`path must start with "/" (got ${show(path)})`);

  const regionsIn = s['regions'] ?? {};
  if (typeof regionsIn !== 'object' || regionsIn === null || Array.isArray(regionsIn)) {
    throw specError(`regions must map region names to source addresses, e.g. { "eu": "127.0.1.1" } (got ${show(regionsIn)})`);
  }
  const regions: LabRegion[] = [];
  for (const [region, source] of Object.entries(regionsIn as Record<string, unknown>)) {
    if (!REGION.test(region)) throw specError(`regions: region name must match [a-z0-9-]{1,63} (got ${show(region)})`);
    if (typeof source !== 'string' || isIP(source) !== 4) throw specError(`regions.${region} must be an IPv4 source address like "127.0.1.1" (got ${show(source)})`);
    if (ips.includes(source)) throw specError(`regions.${region}: ${source} is a node's address`);
    const other = regions.find((r) => r.sourceAddress === source);
    if (other) throw specError(`regions.${region}: ${source} is already the source address of region ${other.name}`);
    regions.push(Object.freeze({ name: region, sourceAddress: source }));
  }

  const netMode = s['netMode'] ?? 'userland';
  if (netMode !== 'userland' && netMode !== 'kernel' && netMode !== 'auto') throw specError(`netMode must be userland, kernel or auto (got ${show(netMode)})`);
  const seed = s['seed'];
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed))) throw specError(`seed must be an integer (got ${show(seed)})`);

  return Object.freeze({
    name: name.toLowerCase(),
    nodes: Object.freeze(ips.map((ip, i) => Object.freeze({ name: `lb-${i + 1}`, ip, ipv6: ipv6 && i === 0 ? '::1' : null }))),
    https,
    origins: intIn(s['origins'], 1, MAX_ORIGINS, 'origins', 1),
    body,
    regions: Object.freeze(regions),
    path,
    port: intIn(s['port'], 0, 65535, 'port', 0),
    httpsPort: intIn(s['httpsPort'], 0, 65535, 'httpsPort', 0),
    dnsPort: intIn(s['dnsPort'], 0, 65535, 'dnsPort', 0),
    proxyTimeoutMs: intIn(s['proxyTimeoutMs'], 1, 3_600_000, 'proxyTimeoutMs', 5000),
    netMode,
    seed: seed ?? Math.floor(Math.random() * 2 ** 31),
  });
}

const formatHost = (ip: string): string => (ip.includes(':') ? `[${ip}]` : ip);
const NO_ORIGIN_FAULT: OriginBehaviour = { crash: false, error500: false, delayMs: 0, body: null };

/**
 * The faults in effect and the decisions they make: the policy every node asks per connection and
 * request, and what every origin asks per request. Rates draw from one seeded generator.
 */
class FaultBook implements LbPolicy {
  readonly truth = new TruthLog();
  readonly #random: () => number;
  readonly #regionBySource: ReadonlyMap<string, string>;
  netMode: NetMode = 'userland';

  constructor(seed: number, regions: readonly LabRegion[]) {
    this.#random = seededRandom(seed);
    this.#regionBySource = new Map(regions.map((r) => [r.sourceAddress, r.name]));
  }

  /** Faults in effect at `t`, in injection order. */
  active(t: number): Fault[] {
    return this.truth
      .injected()
      .filter((e) => isActive(e, t))
      .map((e) => e.fault);
  }

  #hit(rate: number): boolean {
    return this.#random() < rate;
  }

  connection(info: ConnectionInfo): ConnectionAction {
    const active = this.active(Date.now());
    if (active.length === 0) return { kind: 'serve', delayMs: 0, expiredCert: false };
    // the path breaks before the node is reached, so path faults go first
    const region = this.#regionBySource.get(info.remoteAddress) ?? null;
    const path = pathVerdict(pathFaultsFor(active, region, info.node), this.netMode, () => this.#random());
    if (path.drop) return { kind: 'blackhole' };
    if (path.reset) return { kind: 'reset' };
    for (const f of active) if (f.kind === 'node-reset' && f.node === info.node && this.#hit(f.rate)) return { kind: 'reset' };
    let expiredCert = false;
    if (info.protocol === 'https') {
      for (const f of active) if (f.kind === 'cert-expired' && f.node === info.node && this.#hit(f.rate)) expiredCert = true;
    }
    return { kind: 'serve', delayMs: path.delayMs, expiredCert };
  }

  request(info: ConnectionInfo): RequestAction {
    for (const f of this.active(Date.now())) {
      if (f.kind === 'node-502' && f.node === info.node && this.#hit(f.rate)) return { kind: 'bad-gateway' };
      if (f.kind === 'node-timeout' && f.node === info.node && this.#hit(f.rate)) return { kind: 'gateway-timeout', afterMs: f.afterMs };
    }
    return { kind: 'proxy' };
  }

  origin(name: string): OriginBehaviour {
    const active = this.active(Date.now());
    if (active.length === 0) return NO_ORIGIN_FAULT;
    let crash = false;
    let error500 = false;
    let delayMs = 0;
    let body: string | null = null;
    for (const f of active) {
      if (f.kind !== 'origin-crash' && f.kind !== 'origin-500' && f.kind !== 'origin-slow' && f.kind !== 'origin-body') continue;
      if (f.origin !== undefined && f.origin !== name) continue;
      if (!this.#hit(f.rate)) continue;
      if (f.kind === 'origin-crash') crash = true;
      else if (f.kind === 'origin-500') error500 = true;
      else if (f.kind === 'origin-slow') delayMs = Math.max(delayMs, f.delayMs);
      else body = f.body;
    }
    return { crash, error500, delayMs, body };
  }
}

/**
 * A small copy of a real web stack on loopback that a script can break: a DNS server answering the
 * lab's name with one A record per node, load-balancer nodes (nginx-shaped reverse proxies, the same
 * port on every node IP), and origins behind them. Faults are injected and cleared at will, each with
 * a rate and a schedule, and every inject/clear is kept in a ground-truth log to score diagnoses against.
 */
export class Lab {
  /** The hostname, e.g. "shop.lab". */
  readonly name: string;
  /** What a probe targets: https when the lab serves https, e.g. "https://shop.lab:40123/health". */
  readonly url: string;
  readonly httpUrl: string;
  /** null unless spec.https. */
  readonly httpsUrl: string | null;
  readonly httpPort: number;
  readonly httpsPort: number | null;
  /** "127.0.0.1:PORT": give it to agents as --dns-server. */
  readonly dnsAddress: string;
  readonly nodes: readonly LabNode[];
  readonly regions: readonly LabRegion[];
  readonly origins: readonly LabOrigin[];
  /** The CA that signed the nodes' certificates (give it to agents as --ca-file); null unless https. */
  readonly caPem: string | null;
  /** How path faults are realised in this lab. */
  readonly netMode: NetMode;
  /** The seed of the rate decisions. */
  readonly seed: number;

  readonly #spec: NormalizedSpec;
  readonly #book: FaultBook;
  readonly #lbs: readonly LbNode[];
  readonly #originServers: readonly Origin[];
  readonly #dns: DnsServer;
  readonly #iptables: Iptables | null;
  readonly #errors: Error[] = [];
  #ids = 0;
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  /** @internal use startLab. */
  constructor(parts: {
    spec: NormalizedSpec;
    book: FaultBook;
    lbs: readonly LbNode[];
    origins: readonly Origin[];
    dns: DnsServer;
    iptables: Iptables | null;
    caPem: string | null;
    httpPort: number;
    httpsPort: number | null;
  }) {
    const { spec } = parts;
    this.#spec = spec;
    this.#book = parts.book;
    this.#lbs = parts.lbs;
    this.#originServers = parts.origins;
    this.#dns = parts.dns;
    this.#iptables = parts.iptables;
    this.name = spec.name;
    this.httpPort = parts.httpPort;
    this.httpsPort = parts.httpsPort;
    this.httpUrl = `http://${spec.name}:${parts.httpPort}${spec.path}`;
    this.httpsUrl = parts.httpsPort === null ? null : `https://${spec.name}:${parts.httpsPort}${spec.path}`;
    this.url = this.httpsUrl ?? this.httpUrl;
    this.dnsAddress = parts.dns.address;
    this.nodes = Object.freeze(spec.nodes.map((n) => Object.freeze({ ...n })));
    this.regions = spec.regions;
    this.origins = Object.freeze(parts.origins.map((o) => Object.freeze({ name: o.name, host: o.host, port: o.port })));
    this.caPem = parts.caPem;
    this.netMode = parts.book.netMode;
    this.seed = spec.seed;
  }

  /** Errors met while switching scheduled faults on or off in the background (iptables, listeners). */
  get errors(): readonly Error[] {
    return [...this.#errors];
  }

  /** The node called `name` (throws for an unknown name). */
  node(name: string): LabNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new LabError(LAB_ERROR_CODES.fault, `lab: no node ${show(name)} (${this.nodes.map((n) => n.name).join(', ')})`);
    return node;
  }

  /** The source address of region `name` (throws for an unknown region). */
  sourceOf(name: string): string {
    const region = this.regions.find((r) => r.name === name);
    if (!region) throw new LabError(LAB_ERROR_CODES.fault, `lab: no region ${show(name)} (${this.regions.map((r) => r.name).join(', ') || 'none'})`);
    return region.sourceAddress;
  }

  /**
   * Injects a fault and returns its id once it is in effect (or scheduled). Throws a LabError for an
   * invalid fault, or one this lab cannot realise (see the message).
   */
  async inject(spec: FaultSpec): Promise<string> {
    this.#assertOpen();
    const fault = normalizeFault(spec, this.#faultContext());
    this.#checkRealisable(fault);
    this.#ids += 1;
    const id = `f${this.#ids}`;
    this.#book.truth.record(id, fault, Date.now());
    try {
      await this.#reconcile();
    } catch (err) {
      // not in effect (an iptables or listener failure): the truth must not say it was
      this.#book.truth.discard(id);
      await this.#reconcile().catch(() => undefined);
      throw err;
    }
    return id;
  }

  /** Clears an injected fault (clearing it twice is a no-op); throws for an id never injected. */
  async clear(id: string): Promise<void> {
    this.#assertOpen();
    if (!this.#book.truth.entries().some((e) => e.id === id)) throw new LabError(LAB_ERROR_CODES.fault, `lab.clear: no fault with id ${show(id)}`);
    if (this.#book.truth.clear(id, Date.now())) await this.#reconcile();
  }

  /** Clears every injected fault. */
  async clearAll(): Promise<void> {
    this.#assertOpen();
    const now = Date.now();
    for (const e of this.#book.truth.injected()) this.#book.truth.clear(e.id, now);
    await this.#reconcile();
  }

  /** The ground truth: every fault injected, with inject (`from`) and clear (`to`, null if not cleared) times. */
  truth(): readonly TruthEntry[] {
    return this.#book.truth.entries();
  }

  /** The faults in effect at instant `tMs` (epoch ms): injected, not yet cleared, rate > 0, schedule on. */
  activeAt(tMs: number): readonly TruthEntry[] {
    return this.#book.truth.activeAt(tMs);
  }

  /** Stops everything: nodes, origins, DNS, firewall rules. Faults still injected are recorded as cleared now. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const now = Date.now();
    for (const e of this.#book.truth.injected()) this.#book.truth.clear(e.id, now);
    await this.#queue;
    await closeAll([
      ...this.#lbs.map((n) => () => n.close()),
      ...this.#originServers.map((o) => () => o.close()),
      () => this.#dns.close(),
      ...(this.#iptables ? [() => (this.#iptables as Iptables).close()] : []),
    ]);
  }

  #assertOpen(): void {
    if (this.#closed) throw new LabError(LAB_ERROR_CODES.closed, 'lab: closed');
  }

  #faultContext(): FaultContext {
    return { nodes: this.nodes.map((n) => n.name), regions: this.regions.map((r) => r.name), origins: this.origins.map((o) => o.name) };
  }

  #checkRealisable(f: Fault): void {
    const unsupported = (message: string): LabError => new LabError(LAB_ERROR_CODES.unsupported, `fault ${f.kind}: ${message}`);
    const everyOrNothing = f.rate === 0 || f.rate === 1;
    if (f.kind === 'cert-expired' && this.httpsPort === null) throw unsupported('needs a lab with https: true');
    if ((f.kind === 'dns' || f.kind === 'geo-dns') && !everyOrNothing) {
      throw unsupported(`rate must be 0 or 1: the lab's DNS server answers every query alike (got ${f.rate})`);
    }
    if (f.kind === 'dns' && f.region !== undefined) {
      if (f.fault === 'servfail') throw unsupported("a region's own servfail needs per-client faults in lab/dns.ts (it has per-client records only); inject it without region");
      if (f.fault === 'timeout' && this.netMode !== 'kernel') {
        throw unsupported("a region's own timeout needs netMode 'kernel' (iptables drops its queries) or per-client faults in lab/dns.ts");
      }
    }
    if (f.kind === 'node-refuse' && this.netMode === 'userland' && !everyOrNothing) {
      throw unsupported(`rate must be 0 or 1 in userland net mode: a listener cannot refuse some connections and accept others (got ${f.rate}); use node-reset, or netMode 'kernel'`);
    }
    if ((f.kind === 'path-drop' || f.kind === 'path-reset') && this.netMode === 'kernel' && !everyOrNothing) {
      throw unsupported(`rate must be 0 or 1 in kernel net mode: iptables samples packets, not connections (got ${f.rate}); use netMode 'userland'`);
    }
  }

  /** Brings listeners, DNS answers and firewall rules in line with the faults in effect now; one at a time. */
  #reconcile(): Promise<void> {
    const run = this.#queue.then(() => this.#apply());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #apply(): Promise<void> {
    if (this.#closed) return;
    const now = Date.now();
    const active = this.#book.active(now);

    // every connection refused: nothing listens (in both modes, and on IPv6 too); a share of them: iptables
    for (const lb of this.#lbs) await lb.setRefusing(active.some((f) => f.kind === 'node-refuse' && f.rate === 1 && f.node === lb.name));

    const latest = <T extends Fault>(pick: (f: Fault) => f is T): T | undefined => active.filter(pick).at(-1);
    const globalDns = latest((f): f is Fault & { kind: 'dns' } => f.kind === 'dns' && f.region === undefined);
    this.#dns.setFault(this.name, globalDns ? globalDns.fault : null);
    for (const region of this.regions) {
      const nx = latest((f): f is Fault & { kind: 'dns' } => f.kind === 'dns' && f.region === region.name && f.fault === 'nxdomain');
      const geo = latest((f): f is Fault & { kind: 'geo-dns' } => f.kind === 'geo-dns' && f.views[region.name] !== undefined);
      const view = nx ? {} : geo ? this.#zone(geo.views[region.name] ?? []) : null;
      this.#dns.setClientView(region.sourceAddress, view);
    }

    if (this.#iptables) await this.#iptables.sync(active.flatMap((f) => kernelRules(f, this.#topology())));
    this.#armTimer(now);
  }

  /** Wakes up at the next instant a scheduled fault switches on or off. */
  #armTimer(now: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    let next = Infinity;
    for (const e of this.#book.truth.injected()) {
      const edge = nextEdge(e.fault.schedule, e.from, now);
      if (edge !== null) next = Math.min(next, edge);
    }
    if (next === Infinity || this.#closed) return;
    const wait = Math.min(Math.max(1, next - now), 2 ** 31 - 1);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#reconcile().catch((err: unknown) => this.#errors.push(err instanceof Error ? err : new Error(String(err))));
    }, wait);
    this.#timer.unref();
  }

  /** The zone with the lab's name answering only `nodes`' addresses. */
  #zone(nodes: readonly string[]): DnsZone {
    return zoneFor(this.name, this.nodes.filter((n) => nodes.includes(n.name)));
  }

  #topology(): KernelTopology {
    return {
      sourceOf: (r) => this.sourceOf(r),
      ipsOf: (n) => {
        const node = this.node(n);
        return node.ipv6 ? [node.ip, node.ipv6] : [node.ip];
      },
      nodes: this.nodes.map((n) => n.name),
      ports: this.httpsPort === null ? [this.httpPort] : [this.httpPort, this.httpsPort],
      dns: { host: this.#dns.host, port: this.#dns.port },
    };
  }
}

function zoneFor(name: string, nodes: readonly LabNode[]): DnsZone {
  const all = nodes.flatMap((n) => (n.ipv6 ? [n.ip, n.ipv6] : [n.ip]));
  return { [name]: { A: all.filter((ip) => isIP(ip) === 4), AAAA: all.filter((ip) => isIP(ip) === 6) } };
}

/** Runs every closer even when some fail; throws the first failure after all have run. */
async function closeAll(closers: readonly (() => Promise<void>)[]): Promise<void> {
  const results = await Promise.allSettled(closers.map((c) => c()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Starts a lab from `spec` (validated first: a LabError says what is wrong). Everything started is
 * stopped again if a later step fails.
 */
export async function startLab(spec: LabSpec): Promise<Lab> {
  const s = normalizeSpec(spec);
  const book = new FaultBook(s.seed, s.regions);
  if (s.netMode !== 'userland') {
    const why = await Iptables.unavailable();
    if (why !== null && s.netMode === 'kernel') throw new LabError(LAB_ERROR_CODES.unsupported, `lab: netMode kernel: ${why}`);
    book.netMode = why === null ? 'kernel' : 'userland';
  }

  const cleanup: (() => Promise<void>)[] = [];
  try {
    let tls: { valid: ReturnType<typeof createSecureContext>; expired: ReturnType<typeof createSecureContext> } | null = null;
    let caPem: string | null = null;
    if (s.https) {
      const ca = await makeCa({ commonName: `${s.name} lab CA` });
      const hosts = [s.name, ...s.nodes.flatMap((n) => (n.ipv6 ? [n.ip, n.ipv6] : [n.ip]))];
      const valid = await issueCert(ca, { hosts });
      const expired = await issueCert(ca, { hosts, notBefore: new Date(Date.now() - 60 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) });
      tls = { valid: createSecureContext({ key: valid.key, cert: valid.cert }), expired: createSecureContext({ key: expired.key, cert: expired.cert }) };
      caPem = ca.cert;
    }

    const origins: Origin[] = [];
    for (let i = 1; i <= s.origins; i++) {
      const origin = await startOrigin({ name: `app-${i}`, body: s.body, decide: (name) => book.origin(name) });
      cleanup.push(() => origin.close());
      origins.push(origin);
    }

    const makeNodes = (protocol: Protocol): LbNode[] =>
      s.nodes.map((n) => {
        const lb = new LbNode({
          name: n.name,
          addresses: n.ipv6 ? [n.ip, n.ipv6] : [n.ip],
          protocol,
          tls: protocol === 'https' ? tls : null,
          upstreams: origins.map((o) => ({ name: o.name, host: o.host, port: o.port })),
          proxyTimeoutMs: s.proxyTimeoutMs,
          policy: book,
        });
        cleanup.push(() => lb.close());
        return lb;
      });
    const httpNodes = makeNodes('http');
    const httpPort = await listenShared(httpNodes, s.port).catch((err: unknown) => {
      throw new LabError(LAB_ERROR_CODES.spec, `lab: the nodes cannot listen on ${s.nodes.map((n) => formatHost(n.ip)).join(', ')} port ${s.port}: ${(err as Error).message}`, { cause: err });
    });
    let httpsNodes: LbNode[] = [];
    let httpsPort: number | null = null;
    if (s.https) {
      httpsNodes = makeNodes('https');
      httpsPort = await listenShared(httpsNodes, s.httpsPort).catch((err: unknown) => {
        throw new LabError(LAB_ERROR_CODES.spec, `lab: the nodes cannot listen for https on port ${s.httpsPort}: ${(err as Error).message}`, { cause: err });
      });
    }

    const dns = await startDnsServer({ host: '127.0.0.1', port: s.dnsPort, records: zoneFor(s.name, s.nodes), ttl: 0 });
    cleanup.push(() => dns.close());
    let iptables: Iptables | null = null;
    if (book.netMode === 'kernel') {
      iptables = await Iptables.open();
      const opened = iptables;
      cleanup.push(() => opened.close());
    }
    return new Lab({ spec: s, book, lbs: [...httpNodes, ...httpsNodes], origins, dns, iptables, caPem, httpPort, httpsPort });
  } catch (err) {
    await closeAll(cleanup.reverse()).catch(() => undefined);
    throw err;
  }
}
