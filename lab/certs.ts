import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API
// installed before it loads.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

const ALG: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 24 * 60 * 60 * 1000;

/** A test certificate authority: its PEM certificate (give it to a client as a trusted CA) and signing key. */
export interface TestCa {
  readonly cert: string;
  readonly key: string;
  readonly name: string;
  /** @internal the key pair issueCert signs with. */
  readonly keys: webcrypto.CryptoKeyPair;
}

/** A leaf certificate and its private key, in PEM, ready for tls.createServer({ key, cert }). */
export interface TestCert {
  readonly cert: string;
  readonly key: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface CaOptions {
  readonly commonName?: string;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

export interface IssueOptions {
  /** DNS names and IP addresses, each becoming a subjectAltName; the first is also the CN. */
  readonly hosts: readonly string[];
  /** Default: one day ago. */
  readonly notBefore?: Date;
  /** Default: thirty days from now. */
  readonly notAfter?: Date;
  /** Also good for the client end of TLS (clientAuth): NATS cluster routes, mutual TLS. Default: server only. */
  readonly clientAuth?: boolean;
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
}

/** Makes a self-signed ECDSA P-256 CA, valid from a day ago for a year unless told otherwise. */
export async function makeCa(opts: CaOptions = {}): Promise<TestCa> {
  const keys = await generateKeys();
  const name = `CN=${opts.commonName ?? 'crossprobe test CA'}`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    signingAlgorithm: ALG,
    notBefore: opts.notBefore ?? new Date(Date.now() - DAY_MS),
    notAfter: opts.notAfter ?? new Date(Date.now() + 365 * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey), name, keys };
}

/**
 * Issues a server certificate signed by `ca` for `hosts` (names and IPs). Pass a notAfter in the past for
 * an expired certificate, or hosts that do not include the probed name for a wrong-host one.
 */
export async function issueCert(ca: TestCa, opts: IssueOptions): Promise<TestCert> {
  if (opts.hosts.length === 0) throw new TypeError('issueCert: hosts must name at least one DNS name or IP');
  const keys = await generateKeys();
  const notBefore = opts.notBefore ?? new Date(Date.now() - DAY_MS);
  const notAfter = opts.notAfter ?? new Date(Date.now() + 30 * DAY_MS);
  const sans = opts.hosts.map((h): x509.JsonGeneralName => (isIP(h) ? { type: 'ip', value: h } : { type: 'dns', value: h }));
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${opts.hosts[0]}`,
    issuer: ca.name,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALG,
    notBefore,
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(opts.clientAuth ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth] : [x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sans),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey), notBefore, notAfter };
}
