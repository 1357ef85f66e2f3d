import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors as undiciErrors } from 'undici';
import type { FailureCode } from '../../../proto/index.js';
import { DnsError, ProbeAbortedError, ProbeTimeoutError, TlsCertificateError, toFailureCode, type Phase } from '../../../agent/probes/index.js';

/** An error as Node makes them: a message and a string code. */
function coded(code: string, message = `${code} happened`, options?: ErrorOptions): Error {
  return Object.assign(new Error(message, options), { code });
}

const table: { name: string; err: unknown; phase: Phase; want: FailureCode }[] = [
  { name: 'ECONNREFUSED', err: coded('ECONNREFUSED'), phase: 'connect', want: 'CONNECT_REFUSED' },
  { name: 'ETIMEDOUT', err: coded('ETIMEDOUT'), phase: 'connect', want: 'CONNECT_TIMEOUT' },
  { name: 'undici ConnectTimeoutError', err: new undiciErrors.ConnectTimeoutError(), phase: 'connect', want: 'CONNECT_TIMEOUT' },
  { name: 'ECONNRESET before headers', err: coded('ECONNRESET'), phase: 'headers', want: 'CONNECT_RESET' },
  { name: 'ECONNRESET during TLS', err: coded('ECONNRESET'), phase: 'tls', want: 'CONNECT_RESET' },
  { name: 'EPIPE before headers', err: coded('EPIPE'), phase: 'headers', want: 'CONNECT_RESET' },
  { name: 'undici SocketError before headers', err: new undiciErrors.SocketError('other side closed'), phase: 'headers', want: 'CONNECT_RESET' },
  { name: 'ECONNRESET after headers', err: coded('ECONNRESET'), phase: 'body', want: 'RESET_MID_BODY' },
  { name: 'undici SocketError after headers', err: new undiciErrors.SocketError('other side closed'), phase: 'body', want: 'RESET_MID_BODY' },
  { name: 'content-length mismatch after headers', err: new undiciErrors.ResponseContentLengthMismatchError(), phase: 'body', want: 'RESET_MID_BODY' },
  { name: 'ENETUNREACH', err: coded('ENETUNREACH'), phase: 'connect', want: 'NET_UNREACHABLE' },
  { name: 'EHOSTUNREACH', err: coded('EHOSTUNREACH'), phase: 'connect', want: 'NET_UNREACHABLE' },
  { name: 'EADDRNOTAVAIL', err: coded('EADDRNOTAVAIL'), phase: 'connect', want: 'NET_UNREACHABLE' },
  { name: 'CERT_HAS_EXPIRED', err: coded('CERT_HAS_EXPIRED', 'certificate has expired'), phase: 'tls', want: 'TLS_CERT_EXPIRED' },
  { name: 'TlsCertificateError expired', err: new TlsCertificateError('CERT_HAS_EXPIRED', 'x'), phase: 'tls', want: 'TLS_CERT_EXPIRED' },
  { name: 'ERR_TLS_CERT_ALTNAME_INVALID', err: coded('ERR_TLS_CERT_ALTNAME_INVALID'), phase: 'tls', want: 'TLS_CERT_INVALID' },
  { name: 'DEPTH_ZERO_SELF_SIGNED_CERT', err: coded('DEPTH_ZERO_SELF_SIGNED_CERT'), phase: 'tls', want: 'TLS_CERT_INVALID' },
  { name: 'SELF_SIGNED_CERT_IN_CHAIN', err: coded('SELF_SIGNED_CERT_IN_CHAIN'), phase: 'tls', want: 'TLS_CERT_INVALID' },
  { name: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', err: coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), phase: 'tls', want: 'TLS_CERT_INVALID' },
  { name: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', err: coded('UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), phase: 'tls', want: 'TLS_CERT_INVALID' },
  { name: 'CERT_NOT_YET_VALID', err: coded('CERT_NOT_YET_VALID'), phase: 'tls', want: 'TLS_CERT_INVALID' },
  { name: 'ERR_SSL_WRONG_VERSION_NUMBER', err: coded('ERR_SSL_WRONG_VERSION_NUMBER'), phase: 'tls', want: 'TLS_HANDSHAKE' },
  { name: 'EPROTO', err: coded('EPROTO'), phase: 'tls', want: 'TLS_HANDSHAKE' },
  { name: 'OpenSSL error without a code', err: Object.assign(new Error('ssl3_get_record:bad record'), { library: 'SSL routines' }), phase: 'tls', want: 'TLS_HANDSHAKE' },
  { name: 'undici HeadersTimeoutError', err: new undiciErrors.HeadersTimeoutError(), phase: 'headers', want: 'HEADERS_TIMEOUT' },
  { name: 'undici BodyTimeoutError', err: new undiciErrors.BodyTimeoutError(), phase: 'body', want: 'BODY_TIMEOUT' },
  { name: 'c-ares ENOTFOUND', err: coded('ENOTFOUND', 'queryA ENOTFOUND x.test'), phase: 'dns', want: 'DNS_NXDOMAIN' },
  { name: 'c-ares ENODATA', err: coded('ENODATA'), phase: 'dns', want: 'DNS_NXDOMAIN' },
  { name: 'c-ares ESERVFAIL', err: coded('ESERVFAIL'), phase: 'dns', want: 'DNS_SERVFAIL' },
  { name: 'c-ares EREFUSED', err: coded('EREFUSED'), phase: 'dns', want: 'DNS_SERVFAIL' },
  { name: 'c-ares ECONNREFUSED is the resolver failing, not the target', err: coded('ECONNREFUSED'), phase: 'dns', want: 'DNS_SERVFAIL' },
  { name: 'c-ares ETIMEOUT', err: coded('ETIMEOUT'), phase: 'dns', want: 'DNS_TIMEOUT' },
  { name: 'DnsError ENOTFOUND', err: new DnsError('ENOTFOUND', 'x.test', 'nope'), phase: 'dns', want: 'DNS_NXDOMAIN' },
  { name: 'DnsError ECANCELLED (shutdown)', err: new DnsError('ECANCELLED', 'x.test', 'cancelled'), phase: 'dns', want: 'DNS_TIMEOUT' },
  { name: 'deadline in dns', err: new ProbeTimeoutError('late'), phase: 'dns', want: 'DNS_TIMEOUT' },
  { name: 'deadline in connect', err: new ProbeTimeoutError('late'), phase: 'connect', want: 'CONNECT_TIMEOUT' },
  { name: 'deadline in tls', err: new ProbeTimeoutError('late'), phase: 'tls', want: 'TLS_HANDSHAKE' },
  { name: 'deadline in headers', err: new ProbeTimeoutError('late'), phase: 'headers', want: 'HEADERS_TIMEOUT' },
  { name: 'deadline in body', err: new ProbeTimeoutError('late'), phase: 'body', want: 'BODY_TIMEOUT' },
  { name: 'shutdown in headers', err: new ProbeAbortedError('bye'), phase: 'headers', want: 'HEADERS_TIMEOUT' },
  { name: 'undici RequestAbortedError in body', err: new undiciErrors.RequestAbortedError(), phase: 'body', want: 'BODY_TIMEOUT' },
  { name: 'unknown in dns', err: new Error('weird'), phase: 'dns', want: 'DNS_SERVFAIL' },
  { name: 'unknown in connect', err: new Error('weird'), phase: 'connect', want: 'NET_UNREACHABLE' },
  { name: 'unknown in tls', err: new Error('weird'), phase: 'tls', want: 'TLS_HANDSHAKE' },
  { name: 'unknown in headers', err: new Error('weird'), phase: 'headers', want: 'CONNECT_RESET' },
  { name: 'unknown in body', err: new Error('weird'), phase: 'body', want: 'RESET_MID_BODY' },
  { name: 'not an Error at all', err: 'a string', phase: 'headers', want: 'CONNECT_RESET' },
  { name: 'null', err: null, phase: 'connect', want: 'NET_UNREACHABLE' },
];

for (const row of table) {
  test(`toFailureCode - ${row.name} (${row.phase}) is ${row.want}`, () => {
    assert.equal(toFailureCode(row.err, row.phase).code, row.want);
  });
}

test('toFailureCode - walks a .cause chain to the first known code', () => {
  const err = new Error('fetch failed', { cause: new Error('wrapped', { cause: coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1') }) });
  const got = toFailureCode(err, 'connect');
  assert.equal(got.code, 'CONNECT_REFUSED');
  assert.match(got.detail, /fetch failed/);
  assert.match(got.detail, /connect ECONNREFUSED 127\.0\.0\.1:1/);
});

test('toFailureCode - the outermost known code wins over a cause', () => {
  const err = new undiciErrors.HeadersTimeoutError();
  (err as Error & { cause?: unknown }).cause = coded('ECONNRESET');
  assert.equal(toFailureCode(err, 'headers').code, 'HEADERS_TIMEOUT');
});

test('toFailureCode - finds a code inside AggregateError.errors', () => {
  const agg = new AggregateError([new Error('no code here'), coded('EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.1:80')], '');
  const got = toFailureCode(new Error('outer', { cause: agg }), 'connect');
  assert.equal(got.code, 'NET_UNREACHABLE');
  assert.match(got.detail, /EHOSTUNREACH 10\.0\.0\.1:80/);
});

test('toFailureCode - a cause cycle does not loop forever', () => {
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  (a as Error & { cause?: unknown }).cause = b;
  assert.equal(toFailureCode(a, 'headers').code, 'CONNECT_RESET');
});

test('toFailureCode - detail is the raw message', () => {
  assert.equal(toFailureCode(coded('CERT_HAS_EXPIRED', 'certificate has expired'), 'tls').detail, 'certificate has expired');
  assert.equal(toFailureCode(new Error('weird'), 'body').detail, 'weird');
});
