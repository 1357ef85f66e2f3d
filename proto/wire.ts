import './no-long.js';
import { crossprobe } from './gen/crossprobe.js';

/** Generated message classes and enums of package crossprobe.v1. */
export const pb = crossprobe.v1;
export type ProbeResult = crossprobe.v1.IProbeResult;
export type Heartbeat = crossprobe.v1.IHeartbeat;
export type WireTarget = crossprobe.v1.ITarget;
export type Phases = crossprobe.v1.IPhases;
export type ControlHealth = crossprobe.v1.IControlHealth;

/** Failure codes by name, as the rest of the code and the API speak them. */
export const FAILURE_CODES = [
  'DNS_NXDOMAIN', 'DNS_SERVFAIL', 'DNS_TIMEOUT',
  'CONNECT_REFUSED', 'CONNECT_TIMEOUT', 'CONNECT_RESET', 'NET_UNREACHABLE',
  'TLS_HANDSHAKE', 'TLS_CERT_EXPIRED', 'TLS_CERT_INVALID',
  'HEADERS_TIMEOUT', 'BODY_TIMEOUT', 'RESET_MID_BODY', 'HTTP_STATUS', 'BODY_MISMATCH',
  'ADDRESS_BLOCKED',
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

/**
 * The failure code that says nothing about the target: the agent refused to connect (a private address
 * without --allow-private-targets). Such results are stored and listed, and set aside by the diagnosis
 * and the rollups: a target nobody may probe is not a failing target.
 */
export const ADDRESS_BLOCKED = 'ADDRESS_BLOCKED' satisfies FailureCode;

export const PROVENANCES = [
  'unknown', 'app', 'nginx', 'haproxy', 'envoy', 'cloudflare', 'aws-elb', 'cloudfront', 'varnish', 'traefik', 'caddy',
] as const;
export type ProvenanceName = (typeof PROVENANCES)[number];

export function failureToWire(code: FailureCode | null): crossprobe.v1.FailureCode {
  return code === null ? pb.FailureCode.FAILURE_CODE_UNSPECIFIED : pb.FailureCode[code];
}

export function failureFromWire(code: crossprobe.v1.FailureCode | null | undefined): FailureCode | null {
  if (!code) return null;
  const name = pb.FailureCode[code];
  return (FAILURE_CODES as readonly string[]).includes(name ?? '') ? (name as FailureCode) : null;
}

const PROVENANCE_WIRE: Record<ProvenanceName, crossprobe.v1.Provenance> = {
  unknown: pb.Provenance.PROVENANCE_UNKNOWN,
  app: pb.Provenance.PROVENANCE_APP,
  nginx: pb.Provenance.PROVENANCE_NGINX,
  haproxy: pb.Provenance.PROVENANCE_HAPROXY,
  envoy: pb.Provenance.PROVENANCE_ENVOY,
  cloudflare: pb.Provenance.PROVENANCE_CLOUDFLARE,
  'aws-elb': pb.Provenance.PROVENANCE_AWS_ELB,
  cloudfront: pb.Provenance.PROVENANCE_CLOUDFRONT,
  varnish: pb.Provenance.PROVENANCE_VARNISH,
  traefik: pb.Provenance.PROVENANCE_TRAEFIK,
  caddy: pb.Provenance.PROVENANCE_CADDY,
};

export function provenanceToWire(p: ProvenanceName | null): crossprobe.v1.Provenance {
  return p === null ? pb.Provenance.PROVENANCE_UNSPECIFIED : PROVENANCE_WIRE[p];
}

export function provenanceFromWire(p: crossprobe.v1.Provenance | null | undefined): ProvenanceName | null {
  if (!p) return null;
  for (const [name, wire] of Object.entries(PROVENANCE_WIRE)) if (wire === p) return name as ProvenanceName;
  return 'unknown';
}

export function encodeResult(r: ProbeResult): Uint8Array {
  return pb.ProbeResult.encode(r).finish();
}

export function encodeHeartbeat(h: Heartbeat): Uint8Array {
  return pb.Heartbeat.encode(h).finish();
}

export function encodeTarget(t: WireTarget): Uint8Array {
  return pb.Target.encode(t).finish();
}

/** Decodes a ProbeResult; throws WireError naming what is wrong. */
export function decodeResult(bytes: Uint8Array): crossprobe.v1.ProbeResult {
  const r = decodeOrThrow(() => pb.ProbeResult.decode(bytes), 'ProbeResult');
  requireField(r.resultId, 'ProbeResult.result_id');
  requireField(r.agent, 'ProbeResult.agent');
  requireField(r.region, 'ProbeResult.region');
  requireField(r.target, 'ProbeResult.target');
  return r;
}

export function decodeHeartbeat(bytes: Uint8Array): crossprobe.v1.Heartbeat {
  const h = decodeOrThrow(() => pb.Heartbeat.decode(bytes), 'Heartbeat');
  requireField(h.agent, 'Heartbeat.agent');
  requireField(h.region, 'Heartbeat.region');
  return h;
}

export function decodeTarget(bytes: Uint8Array): crossprobe.v1.Target {
  const t = decodeOrThrow(() => pb.Target.decode(bytes), 'Target');
  requireField(t.id, 'Target.id');
  requireField(t.url, 'Target.url');
  return t;
}

/** A message that cannot be decoded or lacks a required field. */
export class WireError extends Error {
  override readonly name = 'WireError';
  readonly code = 'ERR_WIRE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

function decodeOrThrow<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (err) {
    throw new WireError(`undecodable ${what}: ${(err as Error).message}`, { cause: err });
  }
}

/** Throws WireError naming `field` when a required string field is empty. */
export function requireField(value: string | null | undefined, field: string): void {
  if (!value) throw new WireError(`${field} is missing`);
}
