import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { nkeys } from 'nats';
import { agentInboxPrefix, describeNatsAccess, loadNatsAccess, natsConnectOptions } from '../../proto/nats-options.js';

interface KeyPair {
  getSeed(): Uint8Array;
  getPublicKey(): string;
}
const newUser = (): { seed: string; user: string } => {
  const kp = (nkeys.createUser as () => KeyPair)();
  return { seed: new TextDecoder().decode(kp.getSeed()), user: kp.getPublicKey() };
};

describe('NATS connection options (proto/nats-options.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-nats-options-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('nats options - nothing given: a plain connection; a tls:// URL alone: TLS required with the system\'s CAs', () => {
    assert.equal(loadNatsAccess({}, ['nats://127.0.0.1:4222']), null);
    assert.deepEqual(natsConnectOptions(['nats://127.0.0.1:4222'], null), { servers: ['nats://127.0.0.1:4222'] });
    const access = loadNatsAccess({}, ['tls://hub-1.example.net:4222']);
    assert.equal(access?.tlsRequired, true);
    assert.deepEqual(natsConnectOptions(['tls://hub-1.example.net:4222'], access), { servers: ['tls://hub-1.example.net:4222'], tls: {} });
  });

  it('nats options - an nkey file (comments allowed) and a credentials file give the user\'s public key; logs never show a secret', () => {
    const a = newUser();
    const nkey = loadNatsAccess({ natsNkey: file('a.nkey', `# crossprobe agent\n${a.seed}\n`) }, ['nats://x:4222'])!;
    assert.deepEqual({ kind: nkey.identity?.kind, user: nkey.identity?.publicKey, tls: nkey.tlsRequired }, { kind: 'nkey', user: a.user, tls: false });
    assert.equal(typeof natsConnectOptions(['nats://x:4222'], nkey).authenticator, 'function');

    const b = newUser();
    const creds = [
      '-----BEGIN NATS USER JWT-----',
      'eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJzdWIiOiJVQUJDIn0.c2ln',
      '------END NATS USER JWT------',
      '',
      '************************* IMPORTANT *************************',
      'NKEY Seed printed below can be used to sign and prove identity.',
      '',
      '-----BEGIN USER NKEY SEED-----',
      b.seed,
      '------END USER NKEY SEED------',
      '',
    ].join('\n');
    const c = loadNatsAccess({ natsCreds: file('b.creds', creds) }, ['tls://x:4222'])!;
    assert.deepEqual({ kind: c.identity?.kind, user: c.identity?.publicKey, tls: c.tlsRequired }, { kind: 'creds', user: b.user, tls: true });
    const logged = JSON.stringify({ nkey, c, d: describeNatsAccess(c) });
    assert.ok(!logged.includes(a.seed) && !logged.includes(b.seed), 'no seed in anything loggable');
    assert.deepEqual(describeNatsAccess(c), { tls: 'required', user: `creds ${b.user}` });
  });

  it('nats options - a server given by IP address: its certificate is checked against that address, not "localhost"', () => {
    const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const access = loadNatsAccess({ natsCa: ca }, ['tls://203.0.113.5:4222']);
    const tls = natsConnectOptions(['tls://203.0.113.5:4222'], access).tls as { checkServerIdentity(host: string, cert: PeerCertificate): Error | undefined };
    const cert = (san: string) => ({ subject: { CN: 'hub' }, subjectaltname: san }) as unknown as PeerCertificate;
    // nats.js connects by IP without a server name, so Node asks about "localhost"
    assert.equal(tls.checkServerIdentity('localhost', cert('IP Address:203.0.113.5')), undefined);
    assert.match(String(tls.checkServerIdentity('localhost', cert('IP Address:198.51.100.9'))), /does not match certificate's altnames/);
    assert.match(String(tls.checkServerIdentity('hub-1.example.net', cert('IP Address:203.0.113.5'))), /does not match/);
    assert.equal(tls.checkServerIdentity('hub-1.example.net', cert('DNS:hub-1.example.net')), undefined);
  });

  it('nats options - an agent\'s replies come to its own prefix', () => {
    assert.equal(agentInboxPrefix('eu-west', 'fra-1'), '_INBOX.crossprobe.eu-west.fra-1');
    assert.throws(() => agentInboxPrefix('eu.west', 'a'), { name: 'InvalidIdError' });
  });
});
