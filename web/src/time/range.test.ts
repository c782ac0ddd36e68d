import { describe, expect, it } from 'vitest';
import { absoluteRange, durationMs, eventTimeMs, fromLocalInput, parseTimeExpr, presetOf, rangeFromParams, resolveRange, toLocalInput } from './range';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

describe('parseTimeExpr', () => {
  it('parses now and relative offsets', () => {
    expect(parseTimeExpr('now', NOW)).toBe(NOW);
    expect(parseTimeExpr('now-15m', NOW)).toBe(NOW - 15 * 60_000);
    expect(parseTimeExpr('now-1h', NOW)).toBe(NOW - 3_600_000);
    expect(parseTimeExpr('now-24h', NOW)).toBe(NOW - 86_400_000);
    expect(parseTimeExpr('now-7d', NOW)).toBe(NOW - 7 * 86_400_000);
    expect(parseTimeExpr('now-30s', NOW)).toBe(NOW - 30_000);
    expect(parseTimeExpr('now-2w', NOW)).toBe(NOW - 14 * 86_400_000);
    expect(parseTimeExpr('now+5m', NOW)).toBe(NOW + 300_000);
    expect(parseTimeExpr(' now - 1h ', NOW)).toBe(NOW - 3_600_000);
  });
  it('parses absolute epoch ms, seconds, nanoseconds and ISO dates', () => {
    expect(parseTimeExpr('1714564800000', NOW)).toBe(1714564800000);
    expect(parseTimeExpr('1714564800', NOW)).toBe(1714564800000);
    expect(parseTimeExpr('1714564800000000000', NOW)).toBe(1714564800000);
    expect(parseTimeExpr('2024-05-01T12:00:00Z', NOW)).toBe(NOW);
  });
  it('rejects garbage', () => {
    expect(parseTimeExpr('', NOW)).toBeNull();
    expect(parseTimeExpr('yesterday', NOW)).toBeNull();
    expect(parseTimeExpr('now-1y', NOW)).toBeNull();
    expect(parseTimeExpr('now-h', NOW)).toBeNull();
    expect(parseTimeExpr('12', NOW)).toBeNull();
  });
});

describe('ranges', () => {
  it('resolves and rejects empty ranges', () => {
    expect(resolveRange({ from: 'now-1h', to: 'now' }, NOW)).toEqual({ fromMs: NOW - 3_600_000, toMs: NOW });
    expect(resolveRange({ from: 'now', to: 'now-1h' }, NOW)).toBeNull();
    expect(resolveRange({ from: 'bad', to: 'now' }, NOW)).toBeNull();
  });
  it('reads the range from the URL with a default', () => {
    expect(rangeFromParams(new URLSearchParams('from=now-4h&to=now'))).toEqual({ from: 'now-4h', to: 'now' });
    expect(rangeFromParams(new URLSearchParams('from=1000000000000&to=1000000060000'))).toEqual({ from: '1000000000000', to: '1000000060000' });
    expect(rangeFromParams(new URLSearchParams(''))).toEqual({ from: 'now-1h', to: 'now' });
    expect(rangeFromParams(new URLSearchParams('from=junk&to=now'))).toEqual({ from: 'now-1h', to: 'now' });
    expect(rangeFromParams(new URLSearchParams('from=now-7d'))).toEqual({ from: 'now-7d', to: 'now' });
  });
  it('names presets', () => {
    expect(presetOf({ from: 'now-1h', to: 'now' })).toBe('1h');
    expect(presetOf({ from: 'now-7d', to: 'now' })).toBe('7d');
    expect(presetOf({ from: '1000', to: '2000' })).toBeNull();
    expect(durationMs('15m')).toBe(900_000);
    expect(absoluteRange(1.4, 2.6)).toEqual({ from: '1', to: '3' });
  });
  it('round-trips datetime-local inputs', () => {
    const ms = new Date(2024, 4, 1, 9, 30).getTime();
    expect(toLocalInput(ms)).toBe('2024-05-01T09:30');
    expect(fromLocalInput('2024-05-01T09:30')).toBe(ms);
    expect(fromLocalInput('nope')).toBeNull();
  });
  it('parses event timestamps', () => {
    expect(eventTimeMs('2024-05-01T12:00:00.123456789Z')).toBe(NOW + 123);
    expect(eventTimeMs('2024-05-01T12:00:00+00:00')).toBe(NOW);
    expect(eventTimeMs(NOW * 1e6)).toBe(NOW);
    expect(eventTimeMs(NOW)).toBe(NOW);
    expect(eventTimeMs(null)).toBeNull();
  });
});
