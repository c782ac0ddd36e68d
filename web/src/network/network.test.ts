import { describe, expect, it } from 'vitest';
import { filterTraffic, formatBytes, formatKrw, formatUsd, nextTrafficSort, sankeyData, sortTraffic, totalSavings, type Findings, type TrafficRow } from './network';

const row = (client_task: string, gateway: string, destination: string, bytes: number, cost = 0): TrafficRow => ({
  group: { client_task, gateway, destination },
  bytes_sent: Math.floor(bytes / 4),
  bytes_received: bytes - Math.floor(bytes / 4),
  bytes,
  cost_usd: cost,
});

describe('formats', () => {
  it('bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.00 GiB');
    expect(formatBytes(123.4 * 1024 ** 4)).toBe('123 TiB');
  });
  it('money', () => {
    expect(formatUsd(12.3)).toBe('$12.30');
    expect(formatUsd(7010.99)).toBe('$7,011');
    expect(formatKrw(9815380.4)).toBe('₩9,815,380');
  });
});

describe('traffic tables', () => {
  const rows = [row('jobs-api', 'nat-a', 's3', 300), row('web-bff', 'nat-b', 'api', 100), row('cards', 'nat-a', 's3', 200)];
  it('sorts by a group field or a measure', () => {
    expect(sortTraffic(rows, ['client_task', 'gateway'], { key: 'bytes', dir: 'desc' }).map((r) => r.bytes)).toEqual([300, 200, 100]);
    expect(sortTraffic(rows, ['client_task', 'gateway'], { key: 'first', dir: 'asc' }).map((r) => r.group.client_task)).toEqual(['cards', 'jobs-api', 'web-bff']);
    expect(nextTrafficSort({ key: 'bytes', dir: 'desc' }, 'bytes')).toEqual({ key: 'bytes', dir: 'asc' });
    expect(nextTrafficSort({ key: 'bytes', dir: 'desc' }, 'first')).toEqual({ key: 'first', dir: 'asc' });
  });
  it('filters on any group value', () => {
    expect(filterTraffic(rows, 'NAT-B').map((r) => r.group.client_task)).toEqual(['web-bff']);
    expect(filterTraffic(rows, '  ')).toHaveLength(3);
  });
});

describe('sankey', () => {
  it('links client to gateway to destination, summing shared links', () => {
    const d = sankeyData([row('jobs-api', 'nat-a', 's3', 300), row('cards', 'nat-a', 's3', 200), row('web', '', 'api', 50)]);
    expect(d.nodes.map((n) => n.name)).toContain('via: nat-a');
    expect(d.links.find((l) => l.source === 'via: nat-a' && l.target === 'to: s3')?.value).toBe(500);
    // A row without a gateway shows its type (here none): '–'.
    expect(d.links.find((l) => l.source === 'client: web')?.target).toBe('via: –');
  });
  it('keeps a name used in two columns as two nodes', () => {
    const d = sankeyData([row('api', 'nat-a', 'api', 10)]);
    expect(d.nodes.map((n) => n.name).sort()).toEqual(['client: api', 'to: api', 'via: nat-a']);
  });
  it('keeps the largest paths', () => {
    const rows = Array.from({ length: 40 }, (_, i) => row(`t${i}`, 'nat', 'd', i + 1));
    const d = sankeyData(rows, 5);
    expect(d.links.filter((l) => l.target === 'via: nat')).toHaveLength(5);
  });
});

it('totals the savings', () => {
  const f = { observed_hours: 1, prices: '', findings: [{ monthly_savings_usd: 1.5, monthly_savings_krw: 2100 }, { monthly_savings_usd: 2, monthly_savings_krw: 2800 }] } as unknown as Findings;
  expect(totalSavings(f)).toEqual({ usd: 3.5, krw: 4900 });
});
