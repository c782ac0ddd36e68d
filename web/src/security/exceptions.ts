// Tuning exceptions: the form's draft, its checks (the server's, said before
// sending), the request body, the values a signal offers for each field,
// and how a stored exception reads.
import type { Schemas } from '../api/types';
import { eventPlace, type AuditEvent, type Signal } from './signals';

export type SignalException = Schemas['SignalException'];
export type ExceptionInput = Schemas['ExceptionInput'];

/** The detection fields an exception can name besides the entity (as the server's EXCEPTION_FIELDS). */
export const EXCEPTION_FIELDS = ['source_ip', 'account_id', 'event_name', 'place'] as const;
export type ExceptionField = (typeof EXCEPTION_FIELDS)[number];

/** Every rule. */
export const ANY_RULE = '*';

export interface ExceptionDraft {
  rule_id: string;
  /** '' = any identity. */
  entity: string;
  /** '' = no field. */
  field: ExceptionField | '';
  value: string;
  /** '' or YYYY-MM-DD (the end of that day, UTC). */
  until: string;
  reason: string;
}

export const EMPTY_DRAFT: ExceptionDraft = { rule_id: '', entity: '', field: '', value: '', until: '', reason: '' };

/** A signal's draft: its rule and entity. */
export function draftForSignal(s: Pick<Signal, 'rule_id' | 'entity'>): ExceptionDraft {
  return { ...EMPTY_DRAFT, rule_id: s.rule_id, entity: s.entity };
}

/** What is wrong with a draft (the server would refuse it for the same reasons). */
export type DraftProblem = 'rule' | 'reason' | 'fieldValue' | 'anyRuleScope' | 'until' | 'untilPast' | 'tooLong';

const MAX_VALUE_CHARS = 500;

/** The problems of a draft, none when it can be sent. `today` is YYYY-MM-DD (UTC). */
export function validateDraft(d: ExceptionDraft, today?: string): DraftProblem[] {
  const out: DraftProblem[] = [];
  const rule = d.rule_id.trim();
  const entity = d.entity.trim();
  const value = d.value.trim();
  if (!rule) out.push('rule');
  if (!!d.field !== !!value) out.push('fieldValue');
  if (rule === ANY_RULE && !entity && !(d.field && value)) out.push('anyRuleScope');
  const until = d.until.trim();
  if (until) {
    if (!isDay(until)) out.push('until');
    else if (today && until < today) out.push('untilPast');
  }
  if (entity.length > MAX_VALUE_CHARS || value.length > MAX_VALUE_CHARS) out.push('tooLong');
  if (!d.reason.trim()) out.push('reason');
  return out;
}

/** YYYY-MM-DD and a real day. */
export function isDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/** Today in UTC as YYYY-MM-DD. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The POST /api/v1/exceptions body: trimmed, empty parts left out. */
export function exceptionBody(d: ExceptionDraft, by?: string): ExceptionInput {
  const body: ExceptionInput = { rule_id: d.rule_id.trim(), reason: d.reason.trim() };
  const entity = d.entity.trim();
  const value = d.value.trim();
  if (entity) body.entity = entity;
  if (d.field && value) {
    body.field = d.field;
    body.value = value;
  }
  if (d.until.trim()) body.until = d.until.trim();
  if (by?.trim()) body.by = by.trim();
  return body;
}

/** The values a signal's events had for each field (most frequent first), to pick from. */
export function fieldCandidates(signal: Pick<Signal, 'place'> | null, events: readonly AuditEvent[]): Record<ExceptionField, string[]> {
  const counts: Record<ExceptionField, Map<string, number>> = {
    source_ip: new Map(),
    account_id: new Map(),
    event_name: new Map(),
    place: new Map(),
  };
  const add = (f: ExceptionField, v: string | null | undefined) => {
    if (v) counts[f].set(v, (counts[f].get(v) ?? 0) + 1);
  };
  for (const e of events) {
    add('source_ip', e.source_ip);
    add('account_id', e.account_id);
    add('event_name', e.event_name);
    add('place', eventPlace(e));
  }
  if (signal?.place && !counts.place.has(signal.place)) counts.place.set(signal.place, 0);
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([v]) => v);
  return {
    source_ip: sorted(counts.source_ip),
    account_id: sorted(counts.account_id),
    event_name: sorted(counts.event_name),
    place: sorted(counts.place),
  };
}

/** Whether an exception has ended (its `until` is before `nowMs`). */
export function isExpired(e: Pick<SignalException, 'until'>, nowMs: number): boolean {
  if (!e.until) return false;
  const t = Date.parse(e.until.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(t) && t < nowMs;
}

/** An RFC 3339 instant as its UTC day (`2099-01-01T23:59:59.999999999Z` -> `2099-01-01`). */
export function untilDay(until: string | null | undefined): string | null {
  if (!until) return null;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(until);
  return m ? m[1] : until;
}

/** The exceptions of a rule: its own and those for every rule, its own first. */
export function exceptionsOfRule(all: readonly SignalException[], ruleId: string): SignalException[] {
  return all.filter((e) => e.rule_id === ruleId || e.rule_id === ANY_RULE).sort((a, b) => Number(b.rule_id === ruleId) - Number(a.rule_id === ruleId));
}
