export { startLab, normalizeSpec, Lab, type LabSpec, type LabNode, type LabRegion, type LabOrigin } from './lab.js';
export {
  LabError,
  LAB_ERROR_CODES,
  FAULT_KINDS,
  inSchedule,
  nextEdge,
  normalizeFault,
  seededRandom,
  type LabErrorCode,
  type Fault,
  type FaultSpec,
  type FaultBody,
  type FaultKind,
  type Schedule,
  type WindowSchedule,
  type PeriodicSchedule,
  type NormalizedSchedule,
  type DnsFaultName,
} from './faults.js';
export { type TruthEntry } from './truth.js';
export { Iptables, type NetMode } from './netfault.js';
export { nginxErrorPage } from './lb.js';
export { startDnsServer, type DnsServer, type DnsZone, type DnsRecords, type DnsFault, type DnsServerOptions } from './dns.js';
export { makeCa, issueCert, type TestCa, type TestCert } from './certs.js';
