import { describe, expect, it } from 'vitest';
import { draftForSignal, EMPTY_DRAFT, exceptionBody, exceptionsOfRule, fieldCandidates, isDay, isExpired, untilDay, utcDay, validateDraft, type SignalException } from './exceptions';
import type { AuditEvent } from './signals';

const ev = (over: Partial<AuditEvent>): AuditEvent => ({
  time_ms: 0,
  source: 'cloudtrail',
  event_id: null,
  event_source: null,
  event_name: null,
  actor: null,
  actor_name: null,
  actor_type: null,
  account_id: null,
  region: null,
  access_key_id: null,
  role_arn: null,
  session_name: null,
  source_ip: null,
  country: null,
  city: null,
  user_agent: null,
  outcome: null,
  error_code: null,
  request: null,
  raw: null,
  ...over,
});

describe('exception form', () => {
  const base = { ...draftForSignal({ rule_id: 'aws-iam-policy-modified', entity: 'arn:aws:iam::1:role/Deploy' }), reason: 'CI manages task roles' };
  it('starts from the signal and passes with a reason', () => {
    expect(base.rule_id).toBe('aws-iam-policy-modified');
    expect(validateDraft(base)).toEqual([]);
    expect(validateDraft({ ...base, reason: '  ' })).toEqual(['reason']);
  });
  it('wants a field and a value together', () => {
    expect(validateDraft({ ...base, field: 'source_ip' })).toEqual(['fieldValue']);
    expect(validateDraft({ ...base, value: '1.2.3.4' })).toEqual(['fieldValue']);
    expect(validateDraft({ ...base, field: 'source_ip', value: '1.2.3.4' })).toEqual([]);
  });
  it('wants an exception for every rule to name an identity or a value', () => {
    expect(validateDraft({ ...base, rule_id: '*', entity: '' })).toEqual(['anyRuleScope']);
    expect(validateDraft({ ...base, rule_id: '*', entity: '', field: 'place', value: 'Seoul, KR' })).toEqual([]);
    expect(validateDraft({ ...EMPTY_DRAFT, reason: 'x' })).toEqual(['rule']);
  });
  it('checks the end day', () => {
    expect(validateDraft({ ...base, until: '2027-02-30' })).toEqual(['until']);
    expect(validateDraft({ ...base, until: 'tomorrow' })).toEqual(['until']);
    expect(validateDraft({ ...base, until: '2026-01-01' }, '2026-12-03')).toEqual(['untilPast']);
    expect(validateDraft({ ...base, until: '2026-12-03' }, '2026-12-03')).toEqual([]);
    expect(isDay('2028-02-29')).toBe(true);
    expect(utcDay(Date.UTC(2026, 11, 3, 23, 59))).toBe('2026-12-03');
  });
  it('sends a trimmed body without empty parts', () => {
    expect(exceptionBody({ ...base, entity: ' x ', until: '', reason: ' why ' }, ' me ')).toEqual({ rule_id: 'aws-iam-policy-modified', entity: 'x', reason: 'why', by: 'me' });
    expect(exceptionBody({ ...base, entity: '', field: 'place', value: 'London, GB', until: '2099-01-01' })).toEqual({
      rule_id: 'aws-iam-policy-modified',
      field: 'place',
      value: 'London, GB',
      until: '2099-01-01',
      reason: 'CI manages task roles',
    });
    // A field without a value is left out rather than sent half.
    expect(exceptionBody({ ...base, field: 'source_ip', value: ' ' }).field).toBeUndefined();
  });
  it('offers the values the events had, most frequent first', () => {
    const events = [
      ev({ source_ip: '81.2.69.142', city: 'London', country: 'GB', event_name: 'ConsoleLogin', account_id: '1' }),
      ev({ source_ip: '175.16.199.10', city: 'Changchun', country: 'CN', event_name: 'ConsoleLogin', account_id: '1' }),
      ev({ source_ip: '175.16.199.10', city: 'Changchun', country: 'CN', event_name: 'ListRoles' }),
    ];
    const c = fieldCandidates({ place: 'Seoul, KR' }, events);
    expect(c.source_ip).toEqual(['175.16.199.10', '81.2.69.142']);
    expect(c.event_name).toEqual(['ConsoleLogin', 'ListRoles']);
    expect(c.account_id).toEqual(['1']);
    expect(c.place).toEqual(['Changchun, CN', 'London, GB', 'Seoul, KR']);
  });
});

describe('stored exceptions', () => {
  const ex = (over: Partial<SignalException>): SignalException => ({ id: 'x', rule_id: 'r', entity: null, field: null, value: null, until: null, reason: 'why', by: null, ...over });
  it('ends after its until', () => {
    const now = Date.UTC(2026, 11, 3);
    expect(isExpired(ex({ until: '2026-01-01T23:59:59.999999999Z' }), now)).toBe(true);
    expect(isExpired(ex({ until: '2099-01-01T23:59:59.999999999Z' }), now)).toBe(false);
    expect(isExpired(ex({}), now)).toBe(false);
    expect(untilDay('2099-01-01T23:59:59.999999999Z')).toBe('2099-01-01');
  });
  it("lists a rule's own exceptions, then those for every rule", () => {
    const all = [ex({ id: '1', rule_id: '*' }), ex({ id: '2', rule_id: 'other' }), ex({ id: '3', rule_id: 'r' })];
    expect(exceptionsOfRule(all, 'r').map((e) => e.id)).toEqual(['3', '1']);
  });
});
