export { probeTarget, DEFAULT_BODY_CAP_BYTES, RECORDED_HEADERS, type ProbeContext } from './http.js';
export { DnsResolver, DnsError, type DnsResolverOptions, type ResolveOptions, type Resolution, type ResolvedAddress } from './dns.js';
export { toFailureCode, ProbeTimeoutError, ProbeAbortedError, TlsCertificateError, type Phase } from './errors.js';
export { pinnedConnector, trustContext, type PinnedConnector, type PinnedConnectorOptions, type ConnectionTrace } from './connector.js';
export { detectProvenance } from './provenance.js';
