import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet, Question } from 'dns-packet';

/** The addresses a name resolves to. */
export interface DnsRecords {
  readonly A?: readonly string[];
  readonly AAAA?: readonly string[];
}

/** Records by name (case-insensitive, trailing dot optional). */
export type DnsZone = Readonly<Record<string, DnsRecords>>;

/** An injected fault for one name: NXDOMAIN, SERVFAIL, or never answering. null clears it. */
export type DnsFault = 'nxdomain' | 'servfail' | 'timeout' | null;

export interface DnsServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port (the same one for UDP and TCP). */
  readonly port?: number;
  readonly records: DnsZone;
  /** TTL of every answer, seconds. Default 0 (resolvers must not cache between probes). */
  readonly ttl?: number;
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  /** "host:port" ("[v6]:port" for IPv6), as --dns-server and DnsResolver take it. */
  readonly address: string;
  /** Queries answered or dropped so far, by lower-case name. */
  readonly queries: ReadonlyMap<string, number>;
  /** Replaces the zone every client sees (client views stay). */
  setRecords(records: DnsZone): void;
  setFault(name: string, fault: DnsFault): void;
  /** Answers queries from `clientAddress` from `records` instead (geo-DNS); null removes the view. */
  setClientView(clientAddress: string, records: DnsZone | null): void;
  close(): Promise<void>;
}

const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function normalizeZone(zone: DnsZone): Map<string, DnsRecords> {
  return new Map(Object.entries(zone).map(([name, records]) => [normalize(name), records]));
}

/**
 * A small authoritative DNS server for tests, benchmarks and the fault lab: A and AAAA records over UDP
 * and TCP on a loopback port, per-name faults, and per-client views. Unknown names get NXDOMAIN; a known
 * name without records of the asked type gets an empty NOERROR answer (NODATA).
 */
export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const host = opts.host ?? '127.0.0.1';
  const ttl = opts.ttl ?? 0;
  let zone = normalizeZone(opts.records);
  const views = new Map<string, Map<string, DnsRecords>>();
  const faults = new Map<string, Exclude<DnsFault, null>>();
  const queries = new Map<string, number>();

  /** The response to a query, or null to stay silent. */
  function answer(query: DecodedPacket, client: string, maxSize: number): Buffer | null {
    const question: Question | undefined = query.questions?.[0];
    const base: Packet = { type: 'response', id: query.id ?? 0, questions: query.questions ?? [], answers: [] };
    const rd = query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0;
    if (!question) return dnsPacket.encode({ ...base, flags: dnsPacket.AUTHORITATIVE_ANSWER | rd | RCODE_SERVFAIL });
    const name = normalize(question.name);
    queries.set(name, (queries.get(name) ?? 0) + 1);
    const fault = faults.get(name);
    if (fault === 'timeout') return null;
    if (fault === 'servfail') return dnsPacket.encode({ ...base, flags: rd | dnsPacket.RECURSION_AVAILABLE | RCODE_SERVFAIL });
    const records = (views.get(client) ?? zone).get(name);
    if (fault === 'nxdomain' || !records) {
      return dnsPacket.encode({ ...base, flags: dnsPacket.AUTHORITATIVE_ANSWER | rd | dnsPacket.RECURSION_AVAILABLE | RCODE_NXDOMAIN });
    }
    const answers: Answer[] = [];
    if (question.type === 'A') for (const ip of records.A ?? []) answers.push({ type: 'A', name: question.name, ttl, data: ip });
    if (question.type === 'AAAA') for (const ip of records.AAAA ?? []) answers.push({ type: 'AAAA', name: question.name, ttl, data: ip });
    const flags = dnsPacket.AUTHORITATIVE_ANSWER | rd | dnsPacket.RECURSION_AVAILABLE;
    const full = dnsPacket.encode({ ...base, answers, flags });
    // too big for this UDP client: say so (TC) and let it ask again over TCP
    if (full.length > maxSize) return dnsPacket.encode({ ...base, flags: flags | dnsPacket.TRUNCATED_RESPONSE });
    return full;
  }

  /** The largest UDP answer the client accepts: 512, or what its EDNS OPT record announces. */
  function udpLimit(query: DecodedPacket): number {
    const opt = query.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    return Math.max(512, opt?.udpPayloadSize ?? 512);
  }

  function decode(buf: Buffer): DecodedPacket | null {
    try {
      return dnsPacket.decode(buf);
    } catch {
      return null; // garbage: a real server drops it too
    }
  }

  const makeUdp = (): UdpSocket => {
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    udp.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      const query = decode(msg);
      if (!query) return;
      const res = answer(query, rinfo.address, udpLimit(query));
      if (res) udp.send(res, rinfo.port, rinfo.address);
    });
    return udp;
  };

  const tcpSockets = new Set<Socket>();
  const tcp: Server = createServer((socket) => {
    tcpSockets.add(socket);
    socket.on('close', () => tcpSockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      // TCP DNS: every message is prefixed by its 2-byte length
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (pending.length < 2 + len) break;
        const query = decode(pending.subarray(2, 2 + len));
        pending = pending.subarray(2 + len);
        if (!query) continue;
        const res = answer(query, socket.remoteAddress ?? '', 65535);
        if (!res) continue;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(res.length);
        socket.write(Buffer.concat([prefix, res]));
      }
    });
  });

  const { udp, port } = await bindBoth(makeUdp, tcp, host, opts.port ?? 0);
  udp.on('error', () => undefined);
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

  return {
    host,
    port,
    address,
    queries,
    setRecords(records) {
      zone = normalizeZone(records);
    },
    setFault(name, fault) {
      if (fault === null) faults.delete(normalize(name));
      else faults.set(normalize(name), fault);
    },
    setClientView(clientAddress, records) {
      if (records === null) views.delete(clientAddress);
      else views.set(clientAddress, normalizeZone(records));
    },
    async close() {
      for (const s of tcpSockets) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/** Binds UDP, then TCP on the same port; with port 0, retries on a fresh port if TCP finds it taken. */
async function bindBoth(makeUdp: () => UdpSocket, tcp: Server, host: string, port: number): Promise<{ udp: UdpSocket; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const udp = makeUdp();
    const udpPort = await new Promise<number>((resolve, reject) => {
      const fail = (err: Error): void => {
        udp.close();
        reject(err);
      };
      udp.once('error', fail);
      udp.bind(port, host, () => {
        udp.off('error', fail);
        resolve(udp.address().port);
      });
    });
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(udpPort, host, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      return { udp, port: udpPort };
    } catch (err) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      if (port !== 0 || attempt >= 5) throw err;
    }
  }
}
