import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AlertReceiver, MAX_SHOWN_ALERTS, type DemoAlert, type ReceivedAlert } from '../../dev/alerts.js';

interface Shown {
  received: number;
  shown: number;
  alerts: ReceivedAlert[];
}

describe('crossprobe dev: the alerts receiver', () => {
  let receiver: AlertReceiver | null = null;
  after(async () => {
    await receiver?.close();
  });

  const post = (summary: string) =>
    fetch(receiver!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'incident.opened', summary, reportUrl: 'http://127.0.0.1:1/report' }),
    });

  it('alerts - GET (a browser) shows the alerts received so far, newest first and bounded; POST is unchanged', async () => {
    receiver = await AlertReceiver.start();
    const heard: DemoAlert[] = [];
    receiver.listen((a) => heard.push(a));

    const empty = await fetch(receiver.url);
    assert.equal(empty.status, 200);
    assert.match(empty.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await empty.json(), { received: 0, shown: 0, alerts: [] });

    for (const summary of ['first', 'second']) assert.equal((await post(summary)).status, 204);
    const two = (await (await fetch(receiver.url)).json()) as Shown;
    assert.deepEqual(two.alerts.map((a) => a.summary), ['second', 'first']);
    assert.deepEqual({ ...two.alerts[0], receivedAt: '' }, { type: 'incident.opened', summary: 'second', link: 'http://127.0.0.1:1/report', receivedAt: '' });
    assert.ok(!Number.isNaN(Date.parse(two.alerts[0]!.receivedAt)));

    for (let i = 0; i < MAX_SHOWN_ALERTS; i++) await post(`alert ${i}`);
    const many = (await (await fetch(receiver.url)).json()) as Shown;
    assert.equal(many.received, MAX_SHOWN_ALERTS + 2);
    assert.equal(many.shown, MAX_SHOWN_ALERTS);
    assert.equal(many.alerts.length, MAX_SHOWN_ALERTS);
    assert.equal(many.alerts[0]!.summary, `alert ${MAX_SHOWN_ALERTS - 1}`);
    assert.equal(many.alerts.at(-1)!.summary, 'alert 0');
    assert.equal(heard.length, MAX_SHOWN_ALERTS + 2, 'every alert still reaches the demo');

    const bad = await fetch(receiver.url, { method: 'POST', body: 'nope' });
    assert.equal(bad.status, 400);
    const put = await fetch(receiver.url, { method: 'PUT', body: '{}' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, HEAD, POST');
  });
});
