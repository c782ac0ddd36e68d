import type {
  AggregateRequest,
  AggregateResponse,
  DatasetInfo,
  DatasetStats,
  Health,
  SavedView,
  SearchRequest,
  SearchResponse,
  SqlRequest,
  SqlResponse,
  TimeseriesRequest,
  TimeseriesResponse,
  TraceResponse,
  ValuesResponse,
} from './types';
import type { ServicesResponse } from '../apm/services';
import type { ServiceDetailResponse } from '../apm/service';
import type { ServiceMapResponse } from '../apm/map';
import type { TracesResponse } from '../apm/traces';
import type { Findings, ImportStatus, TrafficRow } from '../network/network';
import type { IssueDetailResponse, IssuesResponse, IssueStatus, StatusUpdate } from '../issues/issues';
import type { Signal, SignalDetail, TriageBody, TriageReply, Volume } from '../security/signals';
import type { ExceptionInput, SignalException } from '../security/exceptions';
import type { Identity, IdentitySummary } from '../security/identity';
import type { RuleInfo, RuleRunBody, RuleRunReply, RuleSource, RuleStateBody, RuleTestRequest, RuleTestResult } from '../security/rules';

/** An error answered by the server (`{"error": {code, message}}`) or the network. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(message: string, status: number, code: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: 'application/json' } : { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new ApiError(`Cannot reach the hannun server (${errorMessage(e)})`, 0, 'network');
  }
  const text = await res.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) {
    // `{"error": {code, message}}` or `{"error": "message"}`.
    const raw = (json as { error?: unknown } | undefined)?.error;
    const err: { code?: string; message?: string } | undefined =
      typeof raw === 'string' ? { message: raw } : raw && typeof raw === 'object' ? (raw as { code?: string; message?: string }) : undefined;
    const message = err?.message || (text && text.length < 300 ? text : '') || `${res.status} ${res.statusText}`;
    throw new ApiError(message, res.status, err?.code || String(res.status));
  }
  return json as T;
}

const enc = encodeURIComponent;

export const api = {
  health: (signal?: AbortSignal) => request<Health>('GET', '/api/v1/health', undefined, signal),
  datasets: (signal?: AbortSignal) =>
    request<{ datasets: DatasetStats[] }>('GET', '/api/v1/datasets', undefined, signal).then((r) => r.datasets ?? []),
  dataset: (name: string, signal?: AbortSignal) =>
    request<DatasetInfo>('GET', `/api/v1/datasets/${enc(name)}`, undefined, signal),
  values: (
    dataset: string,
    p: { field: string; prefix?: string; from_ms?: number; to_ms?: number; limit?: number },
    signal?: AbortSignal,
  ) => {
    const qs = new URLSearchParams({ field: p.field });
    if (p.prefix) qs.set('prefix', p.prefix);
    if (p.from_ms !== undefined) qs.set('from_ms', String(Math.floor(p.from_ms)));
    if (p.to_ms !== undefined) qs.set('to_ms', String(Math.ceil(p.to_ms)));
    qs.set('limit', String(p.limit ?? 20));
    return request<ValuesResponse>('GET', `/api/v1/datasets/${enc(dataset)}/values?${qs}`, undefined, signal);
  },
  search: (body: SearchRequest, signal?: AbortSignal) => request<SearchResponse>('POST', '/api/v1/search', body, signal),
  sql: (body: SqlRequest, signal?: AbortSignal) => request<SqlResponse>('POST', '/api/v1/sql', body, signal),
  aggregate: (body: AggregateRequest, signal?: AbortSignal) =>
    request<AggregateResponse>('POST', '/api/v1/aggregate', body, signal),
  timeseries: (body: TimeseriesRequest, signal?: AbortSignal) =>
    request<TimeseriesResponse>('POST', '/api/v1/timeseries', body, signal),
  views: (signal?: AbortSignal) =>
    request<{ views: SavedView[] }>('GET', '/api/v1/views', undefined, signal).then((r) => r.views ?? []),
  createView: (view: Omit<SavedView, 'id'>) => request<SavedView>('POST', '/api/v1/views', view),
  deleteView: (id: string) => request<unknown>('DELETE', `/api/v1/views/${enc(id)}`),
  dashboards: (signal?: AbortSignal) =>
    request<{ dashboards: StoredDashboardSummary[] }>('GET', '/api/v1/dashboards', undefined, signal).then(
      (r) => r.dashboards ?? [],
    ),
  dashboard: (id: string, signal?: AbortSignal) =>
    request<Record<string, unknown>>('GET', `/api/v1/dashboards/${enc(id)}`, undefined, signal),
  createDashboard: (d: unknown) => request<Record<string, unknown>>('POST', '/api/v1/dashboards', d),
  updateDashboard: (id: string, d: unknown) =>
    request<Record<string, unknown>>('PUT', `/api/v1/dashboards/${enc(id)}`, d),
  trace: (traceId: string, range?: { from_ms: number; to_ms: number }, signal?: AbortSignal) => {
    const qs = range ? `?from_ms=${Math.floor(range.from_ms)}&to_ms=${Math.ceil(range.to_ms)}` : '';
    return request<TraceResponse>('GET', `/api/v1/apm/traces/${enc(traceId)}${qs}`, undefined, signal);
  },
  apmServices: (p: { from_ms: number; to_ms: number; env?: string; apdex_ms?: number }, signal?: AbortSignal) => {
    const qs = new URLSearchParams({ from_ms: String(Math.floor(p.from_ms)), to_ms: String(Math.ceil(p.to_ms)) });
    if (p.env) qs.set('env', p.env);
    if (p.apdex_ms !== undefined) qs.set('apdex_ms', String(p.apdex_ms));
    return request<ServicesResponse>('GET', `/api/v1/apm/services?${qs}`, undefined, signal);
  },
  apmService: (service: string, p: { from_ms: number; to_ms: number; env?: string; apdex_ms?: number }, signal?: AbortSignal) => {
    const qs = new URLSearchParams({ from_ms: String(Math.floor(p.from_ms)), to_ms: String(Math.ceil(p.to_ms)) });
    if (p.env) qs.set('env', p.env);
    if (p.apdex_ms !== undefined) qs.set('apdex_ms', String(p.apdex_ms));
    return request<ServiceDetailResponse>('GET', `/api/v1/apm/services/${enc(service)}?${qs}`, undefined, signal);
  },
  serviceMap: (p: { from_ms: number; to_ms: number; env?: string }, signal?: AbortSignal) => {
    const qs = new URLSearchParams({ from_ms: String(Math.floor(p.from_ms)), to_ms: String(Math.ceil(p.to_ms)) });
    if (p.env) qs.set('env', p.env);
    return request<ServiceMapResponse>('GET', `/api/v1/apm/service-map?${qs}`, undefined, signal);
  },
  networkTraffic: (p: { from_ms: number; to_ms: number; group_by: string[]; env?: string; gateway_type?: string }, signal?: AbortSignal) => {
    const qs = new URLSearchParams({ from_ms: String(Math.floor(p.from_ms)), to_ms: String(Math.ceil(p.to_ms)), group_by: p.group_by.join(',') });
    if (p.env) qs.set('env', p.env);
    if (p.gateway_type) qs.set('gateway_type', p.gateway_type);
    return request<TrafficRow[]>('GET', `/api/v1/network/traffic?${qs}`, undefined, signal);
  },
  networkFindings: (p: { from_ms: number; to_ms: number; env?: string }, signal?: AbortSignal) => {
    const qs = new URLSearchParams({ from_ms: String(Math.floor(p.from_ms)), to_ms: String(Math.ceil(p.to_ms)) });
    if (p.env) qs.set('env', p.env);
    return request<Findings>('GET', `/api/v1/network/findings?${qs}`, undefined, signal);
  },
  importStatus: (signal?: AbortSignal) => request<ImportStatus>('GET', '/api/v1/import/status', undefined, signal),
  /** `qs` from tracesQuery(). */
  traces: (qs: URLSearchParams, signal?: AbortSignal) => request<TracesResponse>('GET', `/api/v1/apm/traces?${qs}`, undefined, signal),
  /** `qs` from issuesQuery(). */
  issues: (qs: URLSearchParams, signal?: AbortSignal) => request<IssuesResponse>('GET', `/api/v1/issues?${qs}`, undefined, signal),
  issue: (fingerprint: string, range: { from_ms: number; to_ms: number }, signal?: AbortSignal) =>
    request<IssueDetailResponse>(
      'GET',
      `/api/v1/issues/${enc(fingerprint)}?from_ms=${Math.floor(range.from_ms)}&to_ms=${Math.ceil(range.to_ms)}`,
      undefined,
      signal,
    ),
  setIssueStatus: (fingerprint: string, status: IssueStatus) =>
    request<StatusUpdate>('PUT', `/api/v1/issues/${enc(fingerprint)}/status`, { status }),
  deleteDashboard: (id: string) => request<unknown>('DELETE', `/api/v1/dashboards/${enc(id)}`),
  /** `qs` from signalsQuery(). */
  signals: (qs: URLSearchParams, signal?: AbortSignal) => request<Signal[]>('GET', `/api/v1/signals?${qs}`, undefined, signal),
  signal: (id: string, signal?: AbortSignal) => request<SignalDetail>('GET', `/api/v1/signals/${enc(id)}`, undefined, signal),
  setSignalStatus: (id: string, body: TriageBody) => request<TriageReply>('PUT', `/api/v1/signals/${enc(id)}/status`, body),
  /** `qs` from volumeQuery(). */
  signalVolume: (qs: URLSearchParams, signal?: AbortSignal) => request<Volume>('GET', `/api/v1/signals/volume?${qs}`, undefined, signal),
  exceptions: (signal?: AbortSignal) => request<SignalException[]>('GET', '/api/v1/exceptions', undefined, signal),
  createException: (body: ExceptionInput) => request<SignalException>('POST', '/api/v1/exceptions', body),
  deleteException: (id: string) => request<unknown>('DELETE', `/api/v1/exceptions/${enc(id)}`),
  /** `qs` from identitiesQuery(). */
  identities: (qs: URLSearchParams, signal?: AbortSignal) => request<IdentitySummary[]>('GET', `/api/v1/identities?${qs}`, undefined, signal),
  identity: (actor: string, range: { from_ms: number; to_ms: number }, signal?: AbortSignal) =>
    request<Identity>(
      'GET',
      `/api/v1/identity?${new URLSearchParams({ actor, from_ms: String(Math.floor(range.from_ms)), to_ms: String(Math.ceil(range.to_ms)) })}`,
      undefined,
      signal,
    ),
  rules: (signal?: AbortSignal) => request<RuleInfo[]>('GET', '/api/v1/rules', undefined, signal),
  setRuleState: (body: RuleStateBody) => request<RuleInfo>('PUT', '/api/v1/rules/state', body),
  testRule: (body: RuleTestRequest, signal?: AbortSignal) => request<RuleTestResult>('POST', '/api/v1/rules/test', body, signal),
  runRule: (body: RuleRunBody) => request<RuleRunReply>('POST', '/api/v1/rules/run', body),
  ruleSource: (ruleId: string, signal?: AbortSignal) =>
    request<RuleSource>('GET', `/api/v1/rules/source?${new URLSearchParams({ rule_id: ruleId })}`, undefined, signal),
};

export interface StoredDashboardSummary {
  id: string;
  title: string;
  description?: string;
  updated_at?: unknown;
  created_at?: unknown;
  widgets?: unknown[];
  [k: string]: unknown;
}
