export { probeTarget, DEFAULT_BODY_CAP_BYTES, DEFAULT_MAX_IPS_PER_ROUND, IDENTITY_VALUE_MAX_CHARS, RECORDED_HEADERS, type ProbeContext } from './http.js';
export { DnsResolver, DnsError, type DnsResolverOptions, type ResolveOptions, type Resolution, type ResolvedAddress } from './dns.js';
export { toFailureCode, ProbeTimeoutError, ProbeAbortedError, TlsCertificateError, AddressBlockedError, type Phase } from './errors.js';
export { pinnedConnector, trustContext, type PinnedConnector, type PinnedConnectorOptions, type ConnectionTrace } from './connector.js';
export { detectProvenance } from './provenance.js';
