import { describe, expect, it } from 'vitest';
import { actorType, arnAccount, chainLayout, identitiesQuery, placePoints, pointSize, shortActor, timelineSeries, type IdentityPlace } from './identity';

const CI = 'arn:aws:iam::111122223333:user/ci';
const DEPLOY = 'arn:aws:iam::111122223333:role/Deploy';
const ADMIN = 'arn:aws:iam::111122223333:role/Admin';
const edge = (from: string, to: string, how = 'assumed_role') => ({ from, to, how, count: 2, first_seen_ms: 1, last_seen_ms: 2 });

describe('actors', () => {
  it('names ARNs by their last part', () => {
    expect(shortActor(CI)).toBe('ci');
    expect(shortActor('arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_01')).toBe('AWSReservedSSO_Admin_01');
    expect(shortActor('arn:aws:sts::111122223333:assumed-role/Deploy/ci-run-42')).toBe('Deploy/ci-run-42');
    expect(shortActor('arn:aws:iam::111122223333:root')).toBe('root');
    expect(shortActor('alice@corp.example')).toBe('alice@corp.example');
    expect(arnAccount(CI)).toBe('111122223333');
    expect(arnAccount('bob@corp.example')).toBeNull();
  });
  it('knows the actor kinds', () => {
    expect(actorType('iam_user')).toBe('iam_user');
    expect(actorType('martian')).toBe('unknown');
    expect(actorType(null)).toBe('unknown');
  });
  it('queries identities', () => {
    expect(identitiesQuery(' corp ', { fromMs: 1, toMs: 2 }).toString()).toBe('from_ms=1&to_ms=2&q=corp');
  });
});

describe('the AssumeRole chain', () => {
  it('lays the chain out left to right along its edges', () => {
    const l = chainLayout(
      {
        nodes: [
          { id: DEPLOY, kind: 'role', label: 'Deploy' },
          { id: CI, kind: 'iam_user', label: 'ci' },
        ],
        edges: [edge(CI, DEPLOY), edge(DEPLOY, ADMIN)],
      },
      DEPLOY,
      100,
      50,
    );
    const at = (id: string) => l.nodes.find((n) => n.id === id)!;
    expect([at(CI).depth, at(DEPLOY).depth, at(ADMIN).depth]).toEqual([0, 1, 2]);
    expect(at(DEPLOY)).toMatchObject({ x: 100, y: 0, focus: true, kind: 'role' });
    // An edge to a node the server did not list gets one, named from its ARN.
    expect(at(ADMIN)).toMatchObject({ label: 'Admin', kind: 'unknown' });
    expect(l.links).toHaveLength(2);
    expect([l.columns, l.rows]).toEqual([3, 1]);
    // Four columns wide at least, centred on the middle column; two rows high.
    expect(l.frame).toEqual([
      [-100, -50],
      [300, 50],
    ]);
  });
  it('stacks a column around the middle, the focus first', () => {
    const l = chainLayout({ nodes: [], edges: [edge('a', 'x'), edge('a', 'y'), edge('a', 'z')] }, 'y', 100, 50);
    const col = l.nodes.filter((n) => n.depth === 1);
    expect(col.map((n) => [n.id, n.y])).toEqual([
      ['y', -50],
      ['x', 0],
      ['z', 50],
    ]);
  });
  it('survives cycles and self loops', () => {
    const l = chainLayout({ nodes: [], edges: [edge('a', 'b'), edge('b', 'a'), edge('b', 'b')] }, 'a');
    expect(l.nodes).toHaveLength(2);
    expect(l.links).toHaveLength(2);
    const l2 = chainLayout({ nodes: [], edges: [edge('r', 'a'), edge('a', 'b'), edge('b', 'a')] }, 'r');
    expect(l2.nodes.map((n) => [n.id, n.depth])).toEqual([
      ['r', 0],
      ['a', 1],
      ['b', 2],
    ]);
  });
  it('shows a lone identity', () => {
    const l = chainLayout({ nodes: [], edges: [] }, 'bob@corp.example');
    expect(l.nodes).toEqual([{ id: 'bob@corp.example', label: 'bob@corp.example', kind: 'unknown', depth: 0, row: 0, x: 0, y: 0, focus: true }]);
    expect(l.frame).toEqual([
      [-480, -80],
      [480, 80],
    ]);
  });
});

describe('timeline and places', () => {
  it('builds success and failure series', () => {
    const t = timelineSeries({ from_ms: 1000, step_ms: 10, success: [1, 2, 3], failure: [0, 1] }, { success: 'ok', failure: 'failed' });
    expect(t.x).toEqual([1000, 1010, 1020]);
    expect(t.series.map((s) => [s.label, s.values])).toEqual([
      ['ok', [1, 2, 3]],
      ['failed', [0, 1, 0]],
    ]);
  });
  it('turns places into points, merging addresses at one spot', () => {
    const p = (ip: string, city: string | null, lat: number | null, lon: number | null, events = 1, failures = 0): IdentityPlace => ({
      source_ip: ip,
      country: 'GB',
      city,
      latitude: lat,
      longitude: lon,
      as_org: null,
      events,
      failures,
      first_seen_ms: 0,
      last_seen_ms: 0,
    });
    const pts = placePoints([p('1.1.1.1', 'London', 51.5142, -0.0931, 3), p('1.1.1.2', 'London', 51.5142, -0.0931, 2, 1), p('2.2.2.2', null, null, null)]);
    expect(pts).toEqual([{ name: 'London, GB', value: [-0.0931, 51.5142, 5], failures: 1, ips: ['1.1.1.1', '1.1.1.2'] }]);
    expect(pointSize(0, 10)).toBe(8);
    expect(pointSize(10, 10)).toBe(28);
  });
});
