// Turns dashboard widget queries into API requests, substituting template
// variables on the client.
import type { AggregateRequest, SearchRequest, SqlRequest, TimeseriesRequest } from '../api/types';
import type { ResolvedRange } from '../time/range';
import { quoteValue, tidy, tokenize } from '../search/tokenizer';
import { isBuilderQuery, isEventsQuery, isSqlQuery, type BuilderQuery, type EventsQuery, type Widget, type WidgetQuery } from './schema';

export type VariableValues = Record<string, string>;

/** A variable value that removes the terms that use it. */
export function isAll(value: string | undefined): boolean {
  return value === undefined || value === '' || value === '*';
}

function varRef(text: string): string | null {
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  return m ? m[1] : null;
}

/**
 * Substitutes `$name` in a search filter. A term whose value is a variable set
 * to `*` (or empty) is removed, with its `-`/`NOT`; otherwise the value is
 * written in (quoted when needed). Unknown variables are left as typed.
 */
export function substituteFilter(filter: string, values: VariableValues): string {
  const tokens = tokenize(filter);
  const edits: { start: number; end: number; text: string }[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type !== 'value' && t.type !== 'text') continue;
    const name = varRef(t.text) ?? varRef(t.text.replace(/^"(.*)"$/, '$1'));
    if (!name || !(name in values)) continue;
    const value = values[name];
    if (!isAll(value)) {
      edits.push({ start: t.start, end: t.end, text: quoteValue(value) });
      continue;
    }
    // Remove the whole term: [neg|NOT] [field] [op] value.
    let start = t.start;
    let j = k - 1;
    const inGroup = t.type === 'value' && tokens[j]?.type !== 'field' && tokens[j]?.type !== 'op';
    if (!inGroup) {
      if (tokens[j]?.type === 'op') j--;
      if (tokens[j]?.type === 'field') start = tokens[j--].start;
      if (tokens[j]?.type === 'neg') start = tokens[j--].start;
      else if (tokens[j]?.type === 'ws' && tokens[j - 1]?.type === 'keyword' && tokens[j - 1].text === 'NOT') {
        start = tokens[j - 1].start;
      }
    }
    edits.push({ start, end: t.end, text: '' });
  }
  if (edits.length === 0) return filter;
  let out = '';
  let pos = 0;
  for (const e of edits) {
    out += filter.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  out += filter.slice(pos);
  return tidy(out);
}

/** Substitutes `$name` in SQL with the value, single quotes doubled. */
export function substituteSql(sql: string, values: VariableValues): string {
  return sql.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, name: string) => {
    if (name.startsWith('__') || !(name in values)) return m;
    return values[name].replace(/'/g, "''");
  });
}

/** Which request a widget makes. */
export type WidgetRequest =
  | { kind: 'aggregate'; body: AggregateRequest }
  | { kind: 'timeseries'; body: TimeseriesRequest }
  | { kind: 'search'; body: SearchRequest }
  | { kind: 'sql'; body: SqlRequest }
  | { kind: 'none' };

export function buildAggregateRequest(
  q: BuilderQuery,
  values: VariableValues,
  range: ResolvedRange,
  opts: { groupBy?: boolean; limit?: number } = {},
): AggregateRequest {
  const groupBy = opts.groupBy === false ? [] : q.group_by.slice(0, 1);
  const body: AggregateRequest = {
    dataset: q.dataset,
    query: substituteFilter(q.filter ?? '', values),
    from_ms: Math.floor(range.fromMs),
    to_ms: Math.ceil(range.toMs),
    measure: q.measure.op === 'count' ? { op: 'count' } : { ...q.measure },
  };
  if (groupBy.length) {
    body.group_by = groupBy;
    body.limit = opts.limit ?? q.limit ?? 10;
    body.order = q.order ?? 'desc';
  }
  return body;
}

export function buildTimeseriesRequest(
  q: BuilderQuery,
  values: VariableValues,
  range: ResolvedRange,
  buckets = 60,
): TimeseriesRequest {
  const body: TimeseriesRequest = {
    dataset: q.dataset,
    query: substituteFilter(q.filter ?? '', values),
    from_ms: Math.floor(range.fromMs),
    to_ms: Math.ceil(range.toMs),
    measure: q.measure.op === 'count' ? { op: 'count' } : { ...q.measure },
    buckets,
  };
  if (q.group_by.length) {
    body.group_by = q.group_by.slice(0, 1);
    body.limit = q.limit ?? 10;
  }
  return body;
}

export function buildEventsRequest(q: EventsQuery, values: VariableValues, range: ResolvedRange): SearchRequest {
  return {
    dataset: q.dataset,
    query: substituteFilter(q.filter ?? '', values),
    from_ms: Math.floor(range.fromMs),
    to_ms: Math.ceil(range.toMs),
    limit: Math.min(q.limit ?? 50, 1000),
    facets: [],
    buckets: 1,
  };
}

/** The request a widget makes for the range and variable values. */
export function widgetRequest(
  widget: Pick<Widget, 'type' | 'query'>,
  values: VariableValues,
  range: ResolvedRange,
): WidgetRequest {
  const q: WidgetQuery | undefined = widget.query;
  if (widget.type === 'note' || !q) return { kind: 'none' };
  if (isSqlQuery(q)) {
    return {
      kind: 'sql',
      body: { sql: substituteSql(q.sql, values), from_ms: Math.floor(range.fromMs), to_ms: Math.ceil(range.toMs) },
    };
  }
  if (isEventsQuery(q)) return { kind: 'search', body: buildEventsRequest(q, values, range) };
  if (!isBuilderQuery(q)) return { kind: 'none' };
  switch (widget.type) {
    case 'timeseries':
      return { kind: 'timeseries', body: buildTimeseriesRequest(q, values, range) };
    case 'value':
      return { kind: 'aggregate', body: buildAggregateRequest(q, values, range, { groupBy: false }) };
    case 'toplist':
    case 'table':
      return { kind: 'aggregate', body: buildAggregateRequest(q, values, range) };
  }
  return { kind: 'none' };
}

/** Variable values: URL overrides (`var-service=x`) over the defaults. */
export function variableValues(
  variables: { name: string; default: string }[],
  params: URLSearchParams,
): VariableValues {
  const out: VariableValues = {};
  for (const v of variables) out[v.name] = params.get(`var-${v.name}`) ?? v.default ?? '*';
  return out;
}
