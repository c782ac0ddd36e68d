import { describe, expect, it } from 'vitest';
import { addTerm, completionContext, quoteValue, removeTerm, tidy, tokenize, unquote } from './tokenizer';
import { rankFields } from './SearchBar';

const types = (q: string) => tokenize(q).filter((t) => t.type !== 'ws').map((t) => `${t.type}:${t.text}`);

describe('tokenize', () => {
  it('splits fields, values, words, phrases and keywords', () => {
    expect(types('service:jobs-api status:error @http.status_code:>=500 "timeout" -env:dev')).toEqual([
      'field:service:',
      'value:jobs-api',
      'field:status:',
      'value:error',
      'field:@http.status_code:',
      'op:>=',
      'value:500',
      'phrase:"timeout"',
      'neg:-',
      'field:env:',
      'value:dev',
    ]);
  });
  it('handles groups, ranges, NOT and parentheses', () => {
    expect(types('service:(a OR b) NOT level:debug (x OR y) d:[1 TO 5]')).toEqual([
      'field:service:',
      'paren:(',
      'value:a',
      'keyword:OR',
      'value:b',
      'paren:)',
      'keyword:NOT',
      'field:level:',
      'value:debug',
      'paren:(',
      'text:x',
      'keyword:OR',
      'text:y',
      'paren:)',
      'field:d:',
      'range:[1 TO 5]',
    ]);
  });
  it('keeps positions that cover the input and never throws', () => {
    for (const q of ['', 'a', '"unterminated', 'svc*', 'field:', '((', '-', 'a:"x\\"y" b', 'host:web-?', 'x:(a', '\\:']) {
      const toks = tokenize(q);
      expect(toks.map((t) => t.text).join('')).toBe(q);
      let pos = 0;
      for (const t of toks) {
        expect(t.start).toBe(pos);
        pos = t.end;
      }
    }
  });
  it('reads field names without @ and quoted values', () => {
    const toks = tokenize('@http.route:"/v1/jobs/{id}"');
    expect(toks[0].field).toBe('http.route');
    expect(unquote(toks[1].text)).toBe('/v1/jobs/{id}');
  });
});

describe('completionContext', () => {
  it('suggests values after `service:`', () => {
    const q = 'service:';
    expect(completionContext(q, q.length)).toEqual({ kind: 'value', field: 'service', prefix: '', from: 8, to: 8 });
  });
  it('suggests values with the typed prefix', () => {
    const q = 'level:error service:jo';
    expect(completionContext(q, q.length)).toMatchObject({ kind: 'value', field: 'service', prefix: 'jo', from: 20 });
  });
  it('suggests fields after `-lev` and keeps the minus', () => {
    const q = 'service:x -lev';
    const c = completionContext(q, q.length);
    expect(c).toEqual({ kind: 'field', prefix: 'lev', from: 11, to: 14 });
    expect(q.slice(0, 11)).toBe('service:x -');
  });
  it('suggests fields for a bare word, stripping @', () => {
    expect(completionContext('@http.ro', 8)).toMatchObject({ kind: 'field', prefix: 'http.ro', from: 0 });
    expect(completionContext('', 0)).toMatchObject({ kind: 'field', prefix: '' });
    expect(completionContext('a ', 2)).toMatchObject({ kind: 'field', prefix: '', from: 2 });
  });
  it('suggests values inside a field group', () => {
    const q = 'service:(a OR ';
    expect(completionContext(q, q.length)).toMatchObject({ kind: 'value', field: 'service', prefix: '' });
  });
  it('replaces the whole word under the cursor', () => {
    const q = 'servi level:error';
    expect(completionContext(q, 3)).toEqual({ kind: 'field', prefix: 'ser', from: 0, to: 5 });
  });
  it('says none inside phrases and after comparisons of a closed quote', () => {
    expect(completionContext('"time', 5).kind).toBe('none');
    expect(completionContext('a AND', 5).kind).toBe('none');
  });
  it('suggests values after a comparison operator', () => {
    expect(completionContext('status:>=', 9)).toMatchObject({ kind: 'value', field: 'status' });
  });
});

describe('terms', () => {
  it('quotes values only when needed', () => {
    expect(quoteValue('jobs-api')).toBe('jobs-api');
    expect(quoteValue('/v1/jobs/{id}')).toBe('/v1/jobs/{id}');
    expect(quoteValue('a b')).toBe('"a b"');
    expect(quoteValue('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteValue('OR')).toBe('"OR"');
    expect(quoteValue('')).toBe('""');
    expect(quoteValue('x*')).toBe('"x*"');
    expect(quoteValue('-1')).toBe('"-1"');
  });
  it('adds a facet term, replacing the opposite one', () => {
    expect(addTerm('', 'service', 'jobs-api', false)).toBe('service:jobs-api');
    expect(addTerm('level:error', 'service', 'jobs-api', false)).toBe('level:error service:jobs-api');
    expect(addTerm('level:error service:jobs-api', 'service', 'jobs-api', true)).toBe('level:error -service:jobs-api');
    expect(addTerm('-env:dev', 'env', 'dev', false)).toBe('env:dev');
    expect(addTerm('a', 'http.route', '/v1/x y', false)).toBe('a http.route:"/v1/x y"');
  });
  it('removes terms and tidies leftovers', () => {
    expect(removeTerm('service:a AND level:error', 'service', 'a')).toBe('level:error');
    expect(removeTerm('level:error OR service:a', 'service', 'a')).toBe('level:error');
    expect(tidy('  (  )  a   AND  ')).toBe('a');
    expect(tidy('( OR b)')).toBe('(b)');
  });
});

describe('rankFields', () => {
  it('puts prefix matches first, then substring matches', () => {
    expect(rankFields(['service', 'level', 'http.route', 'db.service.name', 'severity'], 'se')).toEqual(['service', 'severity', 'db.service.name']);
    expect(rankFields(['level', 'service'], 'lev')).toEqual(['level']);
  });
});
