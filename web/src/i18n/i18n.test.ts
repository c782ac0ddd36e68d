import { describe, expect, it } from 'vitest';
import { en } from './en';
import { ko } from './ko';
import { format } from './index';

describe('i18n', () => {
  it('has the same keys in English and Korean', () => {
    expect(Object.keys(ko).sort()).toEqual(Object.keys(en).sort());
  });
  it('has no empty strings', () => {
    for (const [k, v] of [...Object.entries(en), ...Object.entries(ko)]) expect(v.trim(), k).not.toBe('');
  });
  it('uses the same placeholders in both languages', () => {
    const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join(',');
    for (const k of Object.keys(en) as (keyof typeof en)[]) expect(ph(ko[k]), k).toBe(ph(en[k]));
  });
  it('translates the navigation naturally', () => {
    expect(ko['nav.explore']).toBe('탐색');
    expect(ko['nav.dashboards']).toBe('대시보드');
    expect(ko['search.label']).toBe('검색');
    expect(ko['time.last1h']).toBe('최근 1시간');
  });
  it('formats placeholders', () => {
    expect(format('{n} events in {ms} ms', { n: 5, ms: 12 })).toBe('5 events in 12 ms');
    expect(format('{missing}', {})).toBe('{missing}');
  });
});
