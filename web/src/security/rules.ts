// The rules page's pure parts: rule filters and sorting, and the rule
// editor's test request (POST /api/v1/rules/test).
import type { Schemas } from '../api/types';
import { severityRank, type AuditEvent } from './signals';

export type RuleInfo = Schemas['RuleInfo'];
export type RuleStateBody = Schemas['RuleStateBody'];

/** The rule editor's test: YAML and the last N days (POST /api/v1/rules/test). */
export type RuleTestRequest = Schemas['RuleTestBody'];
/** How the rule loaded (as the rules list says it) and, when it loaded, its run over history. */
export type RuleTestResult = Schemas['RuleTestReply'];
export type HistoryRun = Schemas['HistoryRun'];
export type HistoryMatch = Schemas['HistoryMatch'];
export type RuleRunBody = Schemas['RuleRunBody'];
export type RuleRunReply = Schemas['RuleRunReply'];
export type RuleSource = Schemas['RuleSource'];

export const RULE_KINDS = ['builtin', 'detection', 'correlation'] as const;
export const RULE_STATES = ['loaded', 'not_routed', 'failed'] as const;
export const TEST_DAYS = [1, 7, 30, 90] as const;
/** Days a test reads unless told (the server's default). */
export const DEFAULT_TEST_DAYS = 7;
export const MAX_TEST_DAYS = 90;

export interface RuleFilters {
  q: string;
  kind: string;
  state: string;
}

/** Rules whose id, title, source or file contain `q` (any case), of a kind and a state when given. */
export function filterRules(rules: readonly RuleInfo[], f: RuleFilters): RuleInfo[] {
  const q = f.q.trim().toLowerCase();
  return rules.filter(
    (r) =>
      (!f.kind || r.kind === f.kind) &&
      (!f.state || r.state === f.state) &&
      (!q || [r.id, r.title, r.source ?? '', r.file ?? ''].some((v) => v.toLowerCase().includes(q))),
  );
}

export type RuleSortKey = 'title' | 'kind' | 'source' | 'severity' | 'state' | 'enabled' | 'matches_30d' | 'last_match_ms';
const TEXT_KEYS: RuleSortKey[] = ['title', 'kind', 'source', 'state'];
export interface RuleSort {
  key: RuleSortKey;
  dir: 'asc' | 'desc';
}
export const DEFAULT_RULE_SORT: RuleSort = { key: 'matches_30d', dir: 'desc' };

/** Rules sorted by a column; nulls last; ties by title. Severity desc = critical first. */
export function sortRules(rules: readonly RuleInfo[], sort: RuleSort): RuleInfo[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const value = (r: RuleInfo): string | number | null => {
    switch (sort.key) {
      case 'severity':
        return -severityRank(r.severity);
      case 'enabled':
        return r.enabled ? 1 : 0;
      case 'state':
        return RULE_STATES.indexOf(r.state as (typeof RULE_STATES)[number]);
      default:
        return r[sort.key] ?? null;
    }
  };
  return [...rules].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
      return a.title.localeCompare(b.title);
    }
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return c * sign || a.title.localeCompare(b.title);
  });
}

export function nextRuleSort(cur: RuleSort, key: RuleSortKey): RuleSort {
  if (cur.key === key) return { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: TEXT_KEYS.includes(key) ? 'asc' : 'desc' };
}

/** Rules per state, for the summary line. */
export function countByState(rules: readonly RuleInfo[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rules) out[r.state] = (out[r.state] ?? 0) + 1;
  return out;
}

export type RuleTestProblem = 'yaml' | 'days';

/** What stops a test from being sent. */
export function validateRuleTest(r: { yaml: string; days: number }): RuleTestProblem[] {
  const out: RuleTestProblem[] = [];
  if (!r.yaml.trim()) out.push('yaml');
  if (!Number.isInteger(r.days) || r.days < 1 || r.days > MAX_TEST_DAYS) out.push('days');
  return out;
}

/** A Sigma rule the server read from a file (its text can be opened, it can be run over history). */
export function isSigma(r: Pick<RuleInfo, 'kind' | 'file'>): boolean {
  return (r.kind === 'detection' || r.kind === 'correlation') && !!r.file;
}

export interface MatchRow {
  event: AuditEvent;
  /** What to say beside the event: the rule that matched when a test holds several (a correlation and its rules), what a correlation counted. */
  note: string | null;
}

/** A run's matches as event rows with their notes. */
export function matchRows(matches: readonly HistoryMatch[]): MatchRow[] {
  const several = new Set(matches.map((m) => m.rule_id)).size > 1;
  return matches.map((m) => {
    const parts = [several ? m.title : null, m.detail].filter((p): p is string => !!p);
    return { event: m.event, note: parts.length ? parts.join(' · ') : null };
  });
}

/** A starting point for the editor: a Sigma rule on CloudTrail. */
export const RULE_TEMPLATE = `title: Console sign-in without MFA
id: 00000000-0000-4000-8000-000000000001
status: experimental
description: A successful AWS console sign-in that did not use MFA.
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: signin.amazonaws.com
        eventName: ConsoleLogin
        additionalEventData.MFAUsed: 'No'
        responseElements.ConsoleLogin: Success
    condition: selection
level: medium
`;
