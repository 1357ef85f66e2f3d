import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stepAgentAlerts, type AgentHealthOptions, type TargetScope } from '../../../collector/incidents/index.js';
import { alertBody } from '../../../collector/alerts/index.js';
import { controlsFailing, type AgentAlertRecord, type AgentRow, type ControlStatus } from '../../../collector/store/index.js';

const T0 = Date.parse('2024-01-01T12:00:00.000Z');
const OPTS: AgentHealthOptions = { staleAfterMs: 15_000, resolveAfterMs: 30_000, listeningSinceMs: T0 - 3_600_000 };

/**
 * An agent last heard from `lastSeenS` seconds after T0, its control target failing `failures` times in
 * a row, probing `targets` targets, up since `startedS` seconds after T0 (default: an hour before).
 */
function agent(name: string, lastSeenS: number, failures = 0, targets = 3, startedS = -3_600): AgentRow {
  const [region, id] = name.split('/') as [string, string];
  const controls: ControlStatus[] = [
    { url: 'https://control.example/', ok: failures === 0, failure: failures === 0 ? null : 'CONNECT_TIMEOUT', checkedAtMs: T0 + lastSeenS * 1000, consecutiveFailures: failures, totalMs: null },
  ];
  return {
    region,
    agent: id,
    version: '0.1.0',
    lastSeenMs: T0 + lastSeenS * 1000,
    sentAtMs: T0 + lastSeenS * 1000,
    startedAtMs: T0 + startedS * 1000,
    targets,
    spoolDepth: 0,
    spoolDropped: 0,
    spoolBytes: 0,
    schedLagMs: 1,
    resultsPublished: 100,
    inFlight: 0,
    controls,
    controlsFailing: controlsFailing(controls),
  };
}

/**
 * Runs ticks (seconds after T0, the agents table then) over alerts kept as the store keeps them, with the
 * collector's `targets`; events as "type region/agent problem".
 */
function run(ticks: readonly (readonly [number, readonly AgentRow[]])[], o: AgentHealthOptions = OPTS, open: AgentAlertRecord[] = [], targets: readonly TargetScope[] = []) {
  let alerts = [...open];
  const events: string[] = [];
  const summaries: string[] = [];
  for (const [s, agents] of ticks) {
    const step = stepAgentAlerts(alerts, agents, T0 + s * 1000, o, targets);
    const gone = new Set(step.resolved.map((a) => `${a.region}/${a.agent}`));
    const saved = new Map(step.save.map((a) => [`${a.region}/${a.agent}`, a]));
    alerts = [...alerts.filter((a) => !gone.has(`${a.region}/${a.agent}`) && !saved.has(`${a.region}/${a.agent}`)), ...saved.values()];
    for (const e of step.events) {
      events.push(`${s} ${e.type} ${e.alert.region || '*'}/${e.alert.agent || '*'} ${e.alert.problem}`);
      summaries.push(e.alert.summary);
    }
  }
  return { alerts, events, summaries };
}

describe('agent alerts', () => {
  const fleet = (at: number, late: Record<string, number> = {}, failing: Record<string, number> = {}): AgentRow[] =>
    ['eu-west/eu-1', 'eu-west/eu-2', 'us-east/us-1', 'ap-south/ap-1'].map((n) => agent(n, late[n] ?? at, failing[n] ?? 0));

  it('agent alerts - a healthy fleet, and heartbeats up to the stale time late, alert nothing', () => {
    const { events, alerts } = run([
      [0, fleet(0)],
      [15, fleet(15, { 'us-east/us-1': 0 })],
      [30, fleet(30, { 'us-east/us-1': 15 })],
    ]);
    assert.deepEqual(events, []);
    assert.deepEqual(alerts, []);
  });

  it('agent alerts - a silent agent opens once, says whether its region is still probed, and resolves after resolve-after once heard again', () => {
    const { events, summaries, alerts } = run([
      [20, fleet(20, { 'eu-west/eu-1': 0, 'ap-south/ap-1': 0 })],
      [40, fleet(40, { 'eu-west/eu-1': 0, 'ap-south/ap-1': 0 })],
      [60, fleet(60, { 'ap-south/ap-1': 0 })],
      [80, fleet(80, { 'ap-south/ap-1': 0 })],
      [95, fleet(95, { 'ap-south/ap-1': 0 })],
    ]);
    assert.deepEqual(events, ['20 opened eu-west/eu-1 silent', '20 opened ap-south/ap-1 silent', '95 resolved eu-west/eu-1 silent']);
    assert.match(summaries[1]!, /^agent ap-south\/ap-1 silent for 20 s \(last heartbeat 2024-01-01T12:00Z\); no other agent probes from ap-south, so a fault only ap-south sees \(a broken route\) goes unnoticed — check that VPS/);
    assert.match(summaries[0]!, /^agent eu-west\/eu-1 silent for 20 s .*; eu-west is still probed by 1 other agent — /);
    assert.deepEqual(
      alerts.map((a) => [a.region, a.agent, a.problem]),
      [['ap-south', 'ap-1', 'silent']],
    );
  });

  it('agent alerts - heard from again and silent again before resolve-after: the same alert goes on, without a word', () => {
    const { events, alerts } = run([
      [20, fleet(20, { 'eu-west/eu-1': 0 })],
      [30, fleet(30)],
      [50, fleet(50, { 'eu-west/eu-1': 30 })],
      [70, fleet(70, { 'eu-west/eu-1': 30 })],
    ]);
    assert.deepEqual(events, ['20 opened eu-west/eu-1 silent']);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.openedAtMs, T0 + 20_000);
    assert.equal(alerts[0]!.healthySinceMs, null);
  });

  it('agent alerts - control targets failing twice in a row alert (once is a blip); going silent after is a change', () => {
    const { events, summaries } = run([
      [10, fleet(10, {}, { 'us-east/us-1': 1 })],
      [20, fleet(20, {}, { 'us-east/us-1': 2 })],
      [30, fleet(30, {}, { 'us-east/us-1': 3 })],
      [40, fleet(40, { 'us-east/us-1': 20 }, { 'us-east/us-1': 3 })],
    ]);
    assert.deepEqual(events, ['20 opened us-east/us-1 controls', '40 changed us-east/us-1 silent']);
    assert.match(summaries[0]!, /^every control target of agent us-east\/us-1 fails \(https:\/\/control\.example\/ CONNECT_TIMEOUT; at least 2 checks in a row\): its own network or resolver is broken/);
  });

  it('agent alerts - every agent silent is one alert about the hub; single agents are not judged meanwhile', () => {
    const { events, summaries, alerts } = run([
      [20, fleet(20, { 'eu-west/eu-1': 0 })],
      [40, fleet(0)],
      [100, fleet(0)],
      [110, fleet(110, { 'eu-west/eu-1': 0, 'ap-south/ap-1': 0 })],
      [140, fleet(140, { 'eu-west/eu-1': 0, 'ap-south/ap-1': 0 })],
    ]);
    assert.deepEqual(events, [
      '20 opened eu-west/eu-1 silent',
      '40 opened */* all-silent',
      // the hub is back, two agents are not: about them, one by one; the fleet's alert waits out resolve-after
      '110 opened ap-south/ap-1 silent',
      '140 resolved */* all-silent',
    ]);
    assert.match(summaries[1]!, /^no heartbeat from any of the 4 agents for 40 s \(the last at 2024-01-01T12:00Z\): the collector hears nothing, so nothing is being diagnosed — check the NATS hub/);
    assert.deepEqual(
      alerts.map((a) => `${a.region}/${a.agent} ${a.problem}`).sort(),
      ['ap-south/ap-1 silent', 'eu-west/eu-1 silent'],
    );
  });

  it('agent alerts - after a collector restart, agents get the stale time to be heard before any is silent, and open alerts wait', () => {
    // resolve-after below the grace: an alert wrongly cleared during the grace would resolve within it
    const listening = { ...OPTS, resolveAfterMs: 5_000, listeningSinceMs: T0 + 100_000 };
    const open: AgentAlertRecord[] = [
      { region: 'eu-west', agent: 'eu-1', problem: 'silent', summary: 'was silent', openedAtMs: T0, updatedAtMs: T0, healthySinceMs: null },
    ];
    // every agent last heard from before the restart (at 60 s); the restart at 100 s
    const { events, alerts } = run(
      [
        [105, fleet(60)],
        [114, fleet(110, { 'eu-west/eu-1': 60, 'us-east/us-1': 60 })],
        [120, fleet(120, { 'eu-west/eu-1': 60, 'us-east/us-1': 60 })],
      ],
      listening,
      open,
    );
    assert.deepEqual(events, ['120 opened us-east/us-1 silent']);
    assert.deepEqual(alerts.map((a) => [a.agent, a.openedAtMs, a.healthySinceMs]), [
      ['eu-1', T0, null],
      ['us-1', T0 + 120_000, null],
    ]);
  });

  describe('an agent probing no target', () => {
    const HOUR_AGO = T0 - 3_600_000;
    // nothing is meant for ap-south
    const TARGETS: TargetScope[] = [
      { id: 'eu-shop', regions: ['eu-west'], updatedAtMs: HOUR_AGO },
      { id: 'eu-api', regions: ['eu-west', 'us-east'], updatedAtMs: HOUR_AGO },
      { id: 'us-shop', regions: ['us-east'], updatedAtMs: HOUR_AGO },
    ];
    /** The fleet at `at` s, the agents in `zero` probing no target. */
    const fleetAt = (at: number, zero: readonly string[] = [], started: Record<string, number> = {}): AgentRow[] =>
      ['eu-west/eu-1', 'eu-west/eu-2', 'us-east/us-1', 'ap-south/ap-1'].map((n) => agent(n, at, 0, zero.includes(n) ? 0 : 3, started[n]));

    it('agent alerts - an agent whose heartbeat says 0 targets while targets exist for its region opens no-targets, names them and what to check, and resolves once it probes again', () => {
      const { events, summaries, alerts } = run(
        [
          [10, fleetAt(10, ['eu-west/eu-1', 'ap-south/ap-1'])],
          [20, fleetAt(20, ['eu-west/eu-1', 'ap-south/ap-1'])],
          [30, fleetAt(30, ['ap-south/ap-1'])],
          [60, fleetAt(60, ['ap-south/ap-1'])],
        ],
        OPTS,
        [],
        TARGETS,
      );
      // ap-1 probes nothing, and nothing is meant for ap-south: no alert
      assert.deepEqual(events, ['10 opened eu-west/eu-1 no-targets', '60 resolved eu-west/eu-1 no-targets']);
      assert.equal(
        summaries[0],
        'agent eu-west/eu-1 probes no target, while 2 targets are meant for eu-west (eu-shop and eu-api): it heartbeats but sees none of them — ' +
          'check its access to the targets bucket (the hub\'s log for "Permissions Violation" of its NATS user, whose entry crossprobe enroll wrote), ' +
          'its --targets file if it has one, and its log (journalctl -u crossprobe-agent)',
      );
      assert.deepEqual(alerts, []);
    });

    it('agent alerts - no-targets counts a target without regions for every region, and a silent agent is silent, not no-targets', () => {
      const everywhere: TargetScope[] = [{ id: 'shop', regions: [], updatedAtMs: HOUR_AGO }];
      const rows = fleetAt(20, ['ap-south/ap-1', 'us-east/us-1']).map((a) => (a.agent === 'us-1' ? { ...a, lastSeenMs: T0 } : a));
      const { events, summaries } = run([[20, rows]], OPTS, [], everywhere);
      assert.deepEqual(events, ['20 opened us-east/us-1 silent', '20 opened ap-south/ap-1 no-targets']);
      assert.match(summaries[1]!, /^agent ap-south\/ap-1 probes no target, while 1 target is meant for ap-south \(shop\): /);
      const many: TargetScope[] = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, regions: [], updatedAtMs: HOUR_AGO }));
      assert.match(run([[20, rows]], OPTS, [], many).summaries[1]!, /^agent ap-south\/ap-1 probes no target, while 5 targets are meant for ap-south \(a, b, c and 2 more\): /);
    });

    it('agent alerts - no-targets waits while the agent is starting and while the targets are new, as the silent check waits; an open one waits too', () => {
      // eu-1 started at 10 s: 0 targets at 20 s is it still loading them; at 25 s it has been up 15 s
      const { events } = run(
        [
          [20, fleetAt(20, ['eu-west/eu-1'], { 'eu-west/eu-1': 10 })],
          [25, fleetAt(25, ['eu-west/eu-1'], { 'eu-west/eu-1': 10 })],
        ],
        OPTS,
        [],
        TARGETS,
      );
      assert.deepEqual(events, ['25 opened eu-west/eu-1 no-targets']);

      // the only target of us-east written at 10 s: a heartbeat at 20 s may not count it yet
      const fresh: TargetScope[] = [{ id: 'us-new', regions: ['us-east'], updatedAtMs: T0 + 10_000 }];
      assert.deepEqual(run([[20, fleetAt(20, ['us-east/us-1'])], [25, fleetAt(25, ['us-east/us-1'])]], OPTS, [], fresh).events, ['25 opened us-east/us-1 no-targets']);

      // an open alert of an agent that restarted (still 0 targets while it starts) neither resolves nor changes
      const open: AgentAlertRecord[] = [{ region: 'eu-west', agent: 'eu-1', problem: 'no-targets', summary: 'probed none', openedAtMs: T0, updatedAtMs: T0, healthySinceMs: null }];
      const restarted = run(
        [
          [40, fleetAt(40, ['eu-west/eu-1'], { 'eu-west/eu-1': 35 })],
          [80, fleetAt(80, ['eu-west/eu-1'], { 'eu-west/eu-1': 75 })],
        ],
        OPTS,
        open,
        TARGETS,
      );
      assert.deepEqual(restarted.events, []);
      assert.deepEqual(restarted.alerts, open);
    });
  });

  it('agent alerts - no agents known yet: nothing to say', () => {
    assert.deepEqual(run([[0, []], [600, []]]).events, []);
  });

  it('agent alerts - the whole fleet\'s alert names no agent in JSON, says the agents are back when it resolves, and Slack links the dashboard', () => {
    const { alerts } = run([[40, fleet(0)]]);
    const open = alerts[0]!;
    const opened = alertBody('json', { type: 'opened', alert: open, atMs: T0 + 40_000 }, 'https://crossprobe.example.net');
    assert.deepEqual(opened, {
      type: 'opened',
      agentAlert: { region: null, agent: null, problem: 'all-silent', openedAt: '2024-01-01T12:00:40.000Z', resolvedAt: null },
      summary: `[OPENED] ${open.summary}`,
      dashboardUrl: 'https://crossprobe.example.net/#agents',
    });
    const resolved = alertBody('slack', { type: 'resolved', alert: open, atMs: T0 + 640_000 }, 'https://crossprobe.example.net/');
    assert.deepEqual(resolved, {
      text: `[RESOLVED] the agents are heard from again after 10 min (open since 2024-01-01T12:00Z); it was: ${open.summary}. <https://crossprobe.example.net/#agents|dashboard>`,
    });
  });
});
