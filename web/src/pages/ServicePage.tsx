import { useMemo, useState } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import { useAsync } from '../api/useAsync';
import { useI18n, type MessageKey } from '../i18n';
import { Link, useNavigate, useSearchParams } from '../router';
import { useTimeRange, withTime } from '../time/context';
import { usePageTitle } from '../components/PageTitle';
import { EnvSelect } from '../components/EnvSelect';
import { ErrorRate, RedCells } from '../components/RedCells';
import { SortTh } from '../components/SortTh';
import { Sparkline } from '../components/Sparkline';
import { CardLoading, EmptyState, LoadError, Spinner } from '../components/Status';
import { TimeChart, type ChartSeries } from '../charts/TimeChart';
import { formatCompact, formatFull } from '../charts/format';
import {
  apdexClass,
  exploreSpansUrl,
  formatApdex,
  formatMs,
  formatPerSec,
  formatRate,
  RED_COLUMNS,
  withSelectedEnv,
} from '../apm/services';
import {
  alignSeries,
  DEFAULT_ENDPOINT_SORT,
  ENDPOINT_TEXT_KEYS,
  envsOfService,
  issuesUrl,
  peerKind,
  serviceUrl,
  sortDependencies,
  sortEndpoints,
  toggleSort,
  traceSearchUrl,
  type EndpointSortKey,
  type ServiceDetailResponse,
  type TableSort,
} from '../apm/service';
import { PeerKindLabel } from '../apm/PeerKindIcon';
import { formatAgo, issuesQuery, issueUrl, toMs, type IssuesResponse } from '../issues/issues';
import { RegressedBadge, StatusBadge } from '../issues/IssueBadges';

const EP_COLUMNS: { key: EndpointSortKey; label: MessageKey; numeric: boolean }[] = [
  { key: 'endpoint', label: 'svc.endpoint', numeric: false },
  { key: 'kind', label: 'svc.kind', numeric: false },
  ...RED_COLUMNS,
];

export default function ServicePage({ service }: { service: string }) {
  const { t } = useI18n();
  usePageTitle(t('svc.title', { service }));
  const { range, resolved } = useTimeRange();
  const [params, setParams] = useSearchParams();
  const env = params.get('env') ?? '';
  const { fromMs, toMs: toMsR } = resolved;

  const res = useAsync<ServiceDetailResponse>((s) => api.apmService(service, { from_ms: fromMs, to_ms: toMsR, env: env || undefined }, s), [service, env, fromMs, toMsR]);
  const catalog = useAsync((s) => api.apmServices({ from_ms: fromMs, to_ms: toMsR }, s).catch(() => null), [fromMs, toMsR]);
  const envs = useMemo(() => withSelectedEnv(envsOfService(catalog.data?.services ?? [], service), env), [catalog.data, service, env]);
  const apdexMs = catalog.data?.apdex_threshold_ms;

  const notFound = res.error instanceof ApiError && res.error.status === 404;

  return (
    <div className="page service-page" data-testid="service-page">
      <section className="card service-header">
        <div className="service-title-row">
          <Link to={withTime('/apm/services', range)} className="small" data-testid="svc-back">← {t('svc.back')}</Link>
        </div>
        <div className="service-title-row">
          <h2 className="service-name" data-testid="svc-name">{service}</h2>
          <EnvSelect value={env} envs={envs} onChange={(v) => setParams({ env: v || null })} testid="svc-env-select" />
          <span className="spacer" />
          {res.loading && res.data ? <Spinner small /> : null}
          <Link className="btn btn-small" to={traceSearchUrl({ service }, range)} data-testid="svc-traces">{t('svc.searchTraces')}</Link>
          <Link className="btn btn-small" to={exploreSpansUrl({ service, env: env || null }, range)} data-testid="svc-explore">{t('svc.viewSpans')}</Link>
        </div>
        {res.data ? <SummaryTiles data={res.data} apdexMs={apdexMs} /> : null}
      </section>

      {res.error ? (
        notFound ? (
          <EmptyState title={t('svc.notFound', { service })} testid="svc-not-found">
            <p>{t('svc.notFoundHint')}</p>
          </EmptyState>
        ) : (
          <LoadError title={t('svc.loadFailed')} error={res.error} onRetry={res.reload} testid="svc-error" />
        )
      ) : !res.data ? (
        <CardLoading />
      ) : (
        <ServiceBody data={res.data} service={service} env={env} />
      )}
    </div>
  );
}

function SummaryTiles({ data, apdexMs }: { data: ServiceDetailResponse; apdexMs?: number }) {
  const { t } = useI18n();
  const s = data.summary;
  const tiles: { label: string; value: string; cls?: string; testid: string; title?: string }[] = [
    { label: t('apm.requests'), value: formatCompact(s.requests), testid: 'tile-requests', title: formatFull(s.requests) },
    { label: t('apm.ratePerSec'), value: formatPerSec(s.rate_per_s), testid: 'tile-rate' },
    { label: t('apm.errorRate'), value: formatRate(s.error_rate), cls: s.error_rate > 0.05 ? 'bad' : s.error_rate > 0.01 ? 'warn' : 'good', testid: 'tile-error-rate', title: `${formatFull(s.errors)} / ${formatFull(s.requests)}` },
    { label: t('apm.p50'), value: formatMs(s.p50_ms), testid: 'tile-p50' },
    { label: t('apm.p95'), value: formatMs(s.p95_ms), testid: 'tile-p95' },
    { label: t('apm.p99'), value: formatMs(s.p99_ms), testid: 'tile-p99' },
    {
      label: t('apm.apdex'),
      value: formatApdex(s.apdex),
      cls: apdexClass(s.apdex) === 'apdex-good' ? 'good' : apdexClass(s.apdex) === 'apdex-fair' ? 'warn' : apdexClass(s.apdex) ? 'bad' : undefined,
      testid: 'tile-apdex',
      title: apdexMs ? t('apm.apdexHint', { ms: formatFull(apdexMs) }) : undefined,
    },
  ];
  return (
    <div className="svc-tiles" data-testid="svc-tiles">
      {tiles.map((x) => (
        <div key={x.testid} className={`svc-tile ${x.cls ?? ''}`} data-testid={x.testid} title={x.title}>
          <div className="kpi-label">{x.label}</div>
          <div className="svc-tile-value">{x.value}</div>
        </div>
      ))}
    </div>
  );
}

function ServiceBody({ data, service, env }: { data: ServiceDetailResponse; service: string; env: string }) {
  const { t, lang } = useI18n();
  const { range, resolved } = useTimeRange();
  const navigate = useNavigate();
  const [sort, setSort] = useState<TableSort<EndpointSortKey>>(DEFAULT_ENDPOINT_SORT);
  const endpoints = useMemo(() => sortEndpoints(data.endpoints ?? [], sort), [data.endpoints, sort]);
  const deps = useMemo(() => sortDependencies(data.dependencies ?? []), [data.dependencies]);
  const stepMs = (data.bucket_seconds || 60) * 1000;

  const charts = useMemo(() => {
    const s = data.series ?? { timestamps_ms: [], requests: [], errors: [], p95_ms: [] };
    const { x, ys } = alignSeries(s.timestamps_ms ?? [], s.requests ?? [], s.errors ?? [], s.p95_ms ?? []);
    const requests: ChartSeries[] = [{ label: t('apm.requests'), values: ys[0], color: 'var(--accent)' }];
    const errors: ChartSeries[] = [{ label: t('svc.errors'), values: ys[1], color: 'var(--bad)' }];
    const latency: ChartSeries[] = [{ label: t('apm.p95'), values: ys[2], color: '#8b5cf6' }];
    return { x, requests, errors, latency };
  }, [data.series, t]);

  const issues = useAsync<IssuesResponse>(
    (s) => api.issues(issuesQuery({ status: 'all', service, env, q: '', sort: 'last_seen' }, { fromMs: resolved.fromMs, toMs: resolved.toMs }, 8), s),
    [service, env, resolved.fromMs, resolved.toMs],
  );
  const now = Date.now();

  return (
    <>
      <div className="svc-charts">
        <section className="card">
          <header className="card-head"><h2>{t('apm.requests')}</h2></header>
          <div className="chart-pad">
            {charts.x.length ? <TimeChart x={charts.x} series={charts.requests} kind="bars" height={170} stepMs={stepMs} testid="svc-chart-requests" /> : <p className="muted small">{t('issue.noSeries')}</p>}
          </div>
        </section>
        <section className="card">
          <header className="card-head"><h2>{t('svc.errors')}</h2></header>
          <div className="chart-pad">
            {charts.x.length ? <TimeChart x={charts.x} series={charts.errors} kind="bars" height={170} stepMs={stepMs} testid="svc-chart-errors" /> : <p className="muted small">{t('issue.noSeries')}</p>}
          </div>
        </section>
        <section className="card">
          <header className="card-head"><h2>{t('svc.latency')}</h2></header>
          <div className="chart-pad">
            {charts.x.length ? <TimeChart x={charts.x} series={charts.latency} kind="lines" height={170} unit="ms" testid="svc-chart-latency" /> : <p className="muted small">{t('issue.noSeries')}</p>}
          </div>
        </section>
      </div>

      <section className="card">
        <header className="card-head">
          <h2>{t('svc.endpoints')}</h2>
          <span className="muted small">{t('svc.endpointsHint')}</span>
        </header>
        {endpoints.length === 0 ? (
          <p className="muted small card-note">{t('svc.noEndpoints')}</p>
        ) : (
          <div className="table-scroll">
            <table className="table apm-table clickable-rows" data-testid="endpoints-table">
              <thead>
                <tr>
                  {EP_COLUMNS.map((c) => (
                    <SortTh key={c.key} col={c.key} label={t(c.label)} numeric={c.numeric} sort={sort} onSort={(k) => setSort((s) => toggleSort(s, k, ENDPOINT_TEXT_KEYS))} testid={`ep-sort-${c.key}`} />
                  ))}
                  <th>{t('apm.requestsOverTime')}</th>
                </tr>
              </thead>
              <tbody>
                {endpoints.map((r) => {
                  const url = traceSearchUrl({ service, endpoint: r.endpoint }, range);
                  return (
                    <tr key={`${r.endpoint}\u0000${r.kind}`} data-testid="endpoint-row" data-endpoint={r.endpoint} onClick={(e) => { if (!(e.target as HTMLElement).closest('a')) navigate(url); }}>
                      <td className="endpoint-cell">
                        <Link to={url} className="mono" title={t('svc.openTraces', { endpoint: r.endpoint })} data-testid="endpoint-link">{r.endpoint}</Link>
                      </td>
                      <td><span className="env-chip">{r.kind}</span></td>
                      <RedCells row={r} />
                      <td><Sparkline values={r.requests_series ?? []} label={t('apm.requestsOverTime')} width={110} /></td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <div className="svc-lower">
        <section className="card">
          <header className="card-head"><h2>{t('svc.dependencies')}</h2></header>
          {deps.length === 0 ? (
            <p className="muted small card-note">{t('svc.noDependencies')}</p>
          ) : (
            <div className="table-scroll">
              <table className="table apm-table" data-testid="dependencies-table">
                <thead>
                  <tr>
                    <th>{t('svc.peer')}</th>
                    <th>{t('svc.kind')}</th>
                    <th className="right">{t('apm.requests')}</th>
                    <th className="right">{t('apm.errorRate')}</th>
                    <th className="right">{t('apm.p50')}</th>
                    <th className="right">{t('apm.p95')}</th>
                  </tr>
                </thead>
                <tbody>
                  {deps.map((d) => {
                    const kind = peerKind(d.peer_kind);
                    return (
                      <tr key={`${kind}\u0000${d.peer}`} data-testid="dependency-row">
                        <td className="nowrap">
                          {kind === 'service' ? <Link to={serviceUrl(d.peer, { env: env || null, range })} className="service-link">{d.peer}</Link> : <span className="mono">{d.peer}</span>}
                          {d.callee && d.callee !== d.peer ? (
                            <>
                              {' → '}
                              <Link to={serviceUrl(d.callee, { env: env || null, range })} className="service-link" data-testid="dependency-callee" title={t('svc.answeredBy')}>{d.callee}</Link>
                            </>
                          ) : null}
                        </td>
                        <td><PeerKindLabel kind={kind} /></td>
                        <td className="right" title={formatFull(d.requests)}>{formatCompact(d.requests)}</td>
                        <td className="right"><ErrorRate row={d} /></td>
                        <td className="right nowrap">{formatMs(d.p50_ms)}</td>
                        <td className="right nowrap">{formatMs(d.p95_ms)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section className="card">
          <header className="card-head">
            <h2>{t('svc.issues')}</h2>
            <span className="spacer" />
            <Link to={issuesUrl({ service, env: env || null, status: 'all' }, range)} className="small" data-testid="svc-all-issues">{t('svc.allIssues')}</Link>
          </header>
          {issues.error ? (
            <p className="form-error card-note">{errorMessage(issues.error)}</p>
          ) : !issues.data ? (
            <div className="card-loading"><Spinner small /></div>
          ) : issues.data.issues.length === 0 ? (
            <p className="muted small card-note" data-testid="svc-no-issues">{t('svc.noIssues')}</p>
          ) : (
            <ul className="svc-issues" data-testid="svc-issues">
              {issues.data.issues.map((i) => {
                const last = toMs(i.last_seen);
                return (
                  <li key={i.fingerprint}>
                    <Link to={issueUrl(i.fingerprint, range)} className="svc-issue" data-testid="svc-issue">
                      <span className="svc-issue-title">{i.title || i.error_type}</span>
                      <span className="svc-issue-meta">
                        <StatusBadge status={i.status} />
                        {i.regressed ? <RegressedBadge /> : null}
                        <span className="muted small">{t('issues.eventsN', { n: formatCompact(i.count) })}</span>
                        <span className="muted small">{last !== null ? formatAgo(now - last, lang) : ''}</span>
                      </span>
                      {i.culprit ? <span className="issue-culprit mono">{i.culprit}</span> : null}
                    </Link>
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
