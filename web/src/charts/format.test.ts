import { describe, expect, it } from 'vitest';
import { formatCompact, formatElapsed, formatFull, timeTicks, unitOf, withUnit } from './format';

describe('number formatting', () => {
  it('compacts numbers', () => {
    expect(formatCompact(0)).toBe('0');
    expect(formatCompact(1234)).toBe('1,234');
    expect(formatCompact(12_345)).toBe('12.3k');
    expect(formatCompact(1_500_000)).toBe('1.5M');
    expect(formatCompact(41.333)).toBe('41.3');
    expect(formatCompact(1.2345)).toBe('1.23');
    expect(formatCompact(0.012345)).toBe('0.0123');
    expect(formatCompact(null)).toBe('–');
    expect(formatFull(1234.5678)).toBe('1,234.568');
  });
  it('adds units', () => {
    expect(withUnit('12', 'ms')).toBe('12 ms');
    expect(withUnit('5', '%')).toBe('5%');
    expect(withUnit('–', 'ms')).toBe('–');
    expect(unitOf('duration_ms')).toBe('ms');
    expect(unitOf('http.status_code')).toBeUndefined();
    expect(formatElapsed(850.4)).toBe('850 ms');
    expect(formatElapsed(11972)).toBe('12.0 s');
  });
  it('labels time ticks in 24-hour time with the date where it changes', () => {
    const d = (h: number, m = 0, day = 1) => new Date(2024, 4, day, h, m).getTime();
    expect(timeTicks([d(23, 0), d(23, 30), d(0, 0, 2)], 30 * 60_000)).toEqual(['23:00\n05-01', '23:30', '00:00\n05-02']);
    expect(timeTicks([d(0, 0, 1), d(0, 0, 2)], 86_400_000)).toEqual(['05-01', '05-02']);
    expect(timeTicks([d(10, 0)], 10_000)[0]).toBe('10:00:00\n05-01');
  });
});
