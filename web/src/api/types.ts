// Wire types of the hannun HTTP API (/api/v1), named from the types generated
// from its OpenAPI document (schema.d.ts, `npm run api-types`). Times in
// responses are epoch nanoseconds unless the name says otherwise; requests
// send from_ms/to_ms. Only saved documents, whose shape the UI owns (the
// server keeps them as sent), are written out here.

import type { components } from './schema';

/** The API's JSON types, generated from its OpenAPI document (schema.d.ts). */
export type Schemas = components['schemas'];

export type Health = Schemas['Health'];
export type DatasetStats = Schemas['DatasetStats'];
export type Column = Schemas['ColumnInfo'];
export type DatasetInfo = Schemas['DatasetDescription'];

export type Event = Schemas['SearchResponse']['events'][number];
export type FacetValue = Schemas['FacetValue'];
export type Facet = Schemas['Facet'];
export type SearchRequest = Schemas['SearchRequest'];
export type SearchResponse = Schemas['SearchResponse'];

export type SqlRequest = Schemas['SqlRequest'];
export type SqlResponse = Schemas['QueryResult'];

export type MeasureOp = Schemas['MeasureOp'];

/** The measures the UI offers (the server also knows p75). */
export const MEASURE_OPS = [
  'count',
  'count_distinct',
  'sum',
  'avg',
  'min',
  'max',
  'p50',
  'p90',
  'p95',
  'p99',
] as const satisfies readonly MeasureOp[];
export type OfferedOp = (typeof MEASURE_OPS)[number];

export type Measure = Schemas['Measure'];
export type AggregateRequest = Schemas['AggregateRequest'];
export type AggregateResponse = Schemas['AggregateResponse'];
export type TimeseriesRequest = Schemas['TimeseriesRequest'];
export type Series = Schemas['Series'];
export type TimeseriesResponse = Schemas['TimeseriesResponse'];
export type ValuesResponse = Schemas['ValuesResponse'];

/** A saved view as the UI stores it (the server needs only `name`). */
export interface SavedView {
  id: string;
  name: string;
  dataset: string;
  query: string;
  columns?: string[];
  created_at?: unknown;
  [k: string]: unknown;
}

/** One span of a trace, in waterfall (depth-first) order. Its `start_ns`
 * (epoch ns) may be imprecise past 2^53: lay out with `offset_ns`. */
export type TraceSpan = Schemas['SpanNode'];
export type TraceResponse = Schemas['TraceResponse'];
