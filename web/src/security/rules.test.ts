import { describe, expect, it } from 'vitest';
import { countByState, filterRules, isSigma, matchRows, nextRuleSort, RULE_TEMPLATE, sortRules, validateRuleTest, type HistoryMatch, type RuleInfo } from './rules';
import type { AuditEvent } from './signals';

const rule = (over: Partial<RuleInfo>): RuleInfo => ({
  id: 'r',
  title: 'Rule',
  kind: 'detection',
  severity: 'medium',
  state: 'loaded',
  source: 'cloudtrail',
  reason: null,
  file: null,
  enabled: true,
  matches_30d: 0,
  last_match_ms: null,
  ...over,
});

const rules = [
  rule({ id: 'aws-root-activity', title: 'AWS root account activity', kind: 'builtin', severity: 'high', matches_30d: 1, last_match_ms: 50 }),
  rule({ id: 'x1', title: 'Okta MFA reset', source: 'okta', severity: 'low', matches_30d: 9, last_match_ms: 70, file: '/rules/okta/mfa.yml' }),
  rule({ id: 'x2', title: 'GCP thing', state: 'not_routed', source: null, reason: 'no source for product gcp', enabled: false }),
  rule({ id: 'x3', title: 'Broken', state: 'failed', source: null, reason: 'bad condition', severity: 'critical' }),
];

describe('rules table', () => {
  it('filters by text, kind and state', () => {
    expect(filterRules(rules, { q: 'OKTA', kind: '', state: '' }).map((r) => r.id)).toEqual(['x1']);
    expect(filterRules(rules, { q: 'mfa.yml', kind: '', state: '' }).map((r) => r.id)).toEqual(['x1']);
    expect(filterRules(rules, { q: '', kind: 'builtin', state: '' }).map((r) => r.id)).toEqual(['aws-root-activity']);
    expect(filterRules(rules, { q: '', kind: '', state: 'failed' }).map((r) => r.id)).toEqual(['x3']);
  });
  it('sorts with nulls last and severity by rank', () => {
    const ids = (s: { key: Parameters<typeof nextRuleSort>[1]; dir: 'asc' | 'desc' }) => sortRules(rules, s).map((r) => r.id);
    expect(ids({ key: 'matches_30d', dir: 'desc' })).toEqual(['x1', 'aws-root-activity', 'x3', 'x2']);
    expect(ids({ key: 'last_match_ms', dir: 'asc' })).toEqual(['aws-root-activity', 'x1', 'x3', 'x2']);
    expect(ids({ key: 'severity', dir: 'desc' })).toEqual(['x3', 'aws-root-activity', 'x2', 'x1']);
    expect(ids({ key: 'source', dir: 'asc' })).toEqual(['aws-root-activity', 'x1', 'x3', 'x2']);
    expect(ids({ key: 'enabled', dir: 'asc' })[0]).toBe('x2');
    expect(nextRuleSort({ key: 'matches_30d', dir: 'desc' }, 'title')).toEqual({ key: 'title', dir: 'asc' });
    expect(nextRuleSort({ key: 'title', dir: 'asc' }, 'title')).toEqual({ key: 'title', dir: 'desc' });
  });
  it('counts states', () => {
    expect(countByState(rules)).toEqual({ loaded: 2, not_routed: 1, failed: 1 });
  });
});

describe('rule test', () => {
  it('wants YAML and 1..90 whole days', () => {
    expect(validateRuleTest({ yaml: RULE_TEMPLATE, days: 7 })).toEqual([]);
    expect(validateRuleTest({ yaml: ' \n', days: 7 })).toEqual(['yaml']);
    expect(validateRuleTest({ yaml: 'x', days: 0 })).toEqual(['days']);
    expect(validateRuleTest({ yaml: 'x', days: 91 })).toEqual(['days']);
    expect(validateRuleTest({ yaml: 'x', days: 1.5 })).toEqual(['days']);
  });
});

describe('rule test results', () => {
  const event = { event_id: 'e' } as AuditEvent;
  const m = (rule_id: string, title: string, detail: string | null = null): HistoryMatch => ({ rule_id, title, severity: 'high', detail, event });
  it('names the rule only when several matched, and says what a correlation counted', () => {
    expect(matchRows([m('a', 'A'), m('a', 'A', '5 failed logins')]).map((r) => r.note)).toEqual([null, '5 failed logins']);
    expect(matchRows([m('a', 'A'), m('b', 'B', '5 in 10m')]).map((r) => r.note)).toEqual(['A', 'B · 5 in 10m']);
  });
  it('knows which rules have a text', () => {
    expect(isSigma(rule({ kind: 'detection', file: '/r.yml' }))).toBe(true);
    expect(isSigma(rule({ kind: 'builtin', file: null }))).toBe(false);
    expect(isSigma(rule({ kind: 'correlation', file: null }))).toBe(false);
  });
});
