import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AckFloor, readDelivery, type Delivery } from '../../../collector/ingest/index.js';

// The cumulative ack's bound, without a server: which stream sequence one ack may cover after which
// deliveries and commits. The server side of the same rules is in ingest.test.ts.

/** A session that starts after stream sequence `streamSeq` and delivery `deliverySeq`. */
const session = (streamSeq = 0, deliverySeq = 0): AckFloor => new AckFloor({ streamSeq, deliverySeq, unacked: null });

/** Delivers stream sequences in order, numbering deliveries on from `firstDelivery`. */
function deliver(f: AckFloor, seqs: readonly number[], firstDelivery: number): void {
  seqs.forEach((s, i) => assert.equal(f.received(s, firstDelivery + i), true, `delivery of ${s}`));
}

describe('ack floor', () => {
  it('ack floor - nothing delivered: the ack may cover what was acked before the session, no more', () => {
    assert.equal(session(40, 7).safe(), 40);
  });

  it('ack floor - commits in order move it to the last committed sequence', () => {
    const f = session();
    deliver(f, [1, 2, 3, 4, 5, 6], 1);
    assert.equal(f.safe(), 0);
    for (const s of [1, 2, 3]) f.committed(s);
    assert.equal(f.safe(), 3);
    for (const s of [4, 5, 6]) f.committed(s);
    assert.equal(f.safe(), 6);
  });

  it('ack floor - a later batch committed first cannot be acked past an earlier one still uncommitted', () => {
    const f = session();
    deliver(f, [1, 2, 3, 4, 5, 6], 1);
    for (const s of [4, 5, 6]) f.committed(s);
    assert.equal(f.safe(), 0);
    for (const s of [1, 2, 3]) f.committed(s);
    assert.equal(f.safe(), 6);
  });

  it('ack floor - a failed batch holds it until a redelivered copy commits', () => {
    const f = session();
    deliver(f, [1, 2, 3, 4], 1);
    // 1-2 failed (nak'd: they stay outstanding); 3-4 committed
    for (const s of [3, 4]) f.committed(s);
    assert.equal(f.safe(), 0);
    deliver(f, [5, 1, 2], 5); // new 5, then the redelivered 1 and 2
    f.committed(5);
    assert.equal(f.safe(), 0);
    for (const s of [1, 2]) f.committed(s);
    assert.equal(f.safe(), 5);
  });

  it('ack floor - stream sequences never delivered (deleted, another subject) do not hold it', () => {
    const f = session(10, 3);
    deliver(f, [14, 20], 4);
    f.committed(14);
    assert.equal(f.safe(), 19);
    f.committed(20);
    assert.equal(f.safe(), 20);
  });

  it('ack floor - a second copy in flight after the first committed does not hold it', () => {
    const f = session();
    deliver(f, [1, 2, 1], 1); // 1 delivered again (ack_wait passed while its batch was slow)
    f.committed(1);
    f.committed(2);
    assert.equal(f.safe(), 2);
  });

  it('ack floor - a delivery that never arrived breaks the session: no ack at all from then on', () => {
    const f = session(0, 0);
    deliver(f, [1, 2], 1);
    f.committed(1);
    assert.equal(f.safe(), 1);
    // deliveries 3 and 4 went elsewhere (lost across a reconnect, or another client of the durable)
    assert.equal(f.received(5, 5), false);
    assert.match(f.broken ?? '', /delivery 5 followed delivery 2/);
    for (const s of [2, 5]) f.committed(s);
    assert.equal(f.safe(), null);
    assert.equal(f.received(6, 6), false, 'and stays broken');
  });

  it('ack floor - what a predecessor left unacked holds it until delivered again and committed', () => {
    // acked up to 10, 11-14 delivered to a predecessor that never acked them
    const f = new AckFloor({ streamSeq: 14, deliverySeq: 30, unacked: { from: 11, to: 14 } });
    assert.equal(f.safe(), 10);
    deliver(f, [15, 16], 31);
    for (const s of [15, 16]) f.committed(s);
    assert.equal(f.safe(), 10);
    deliver(f, [11, 12, 13, 14], 33); // after ack_wait
    for (const s of [11, 12, 13]) f.committed(s);
    assert.equal(f.safe(), 13);
    f.committed(14);
    assert.equal(f.safe(), 16);
  });

  it('ack floor - the first delivery must follow the session start', () => {
    const f = session(100, 50);
    assert.equal(f.received(101, 52), false);
    assert.equal(f.safe(), null);
  });
});

describe('ack subject', () => {
  const read = (reply: string): Delivery | null => {
    const out: Delivery = { streamSeq: -1, deliverySeq: -1, pending: -1 };
    return readDelivery(reply, out) ? out : null;
  };

  it('ack subject - both forms the server sends: stream and delivery sequences and pending', () => {
    assert.deepEqual(read('$JS.ACK.results.crossprobe-collector.2.48213.50007.1732270000123456789.17'), { streamSeq: 48213, deliverySeq: 50007, pending: 17 });
    assert.deepEqual(read('$JS.ACK.hub.AbC123.results.crossprobe-collector.1.9007199254.12.1732270000123456789.0.xK3f'), { streamSeq: 9007199254, deliverySeq: 12, pending: 0 });
  });

  it('ack subject - anything else is refused, so the caller falls back to nats.js', () => {
    for (const bad of [
      '',
      '_INBOX.abc.def',
      '$JS.ACK.results.c.1.2.3.4',
      '$JS.ACK.results.c.1.x.3.4.5',
      '$JS.ACK.results.c.1.0.3.4.5',
      '$JS.ACK.results.c.1.2..4.5',
      '$JS.ACK.results.c.1.2.3.4.-5',
      '$JS.NAK.results.c.1.2.3.4.5',
    ]) {
      assert.equal(read(bad), null, bad);
    }
  });
});
