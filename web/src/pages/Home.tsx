import { useMemo } from 'react';
import { api, errorMessage } from '../api/client';
import { useAsync } from '../api/useAsync';
import type { AggregateResponse, DatasetStats, Event, TimeseriesResponse } from '../api/types';
import { useT } from '../i18n';
import { Link } from '../router';
import { useTimeRange, withTime } from '../time/context';
import { eventTimeMs, formatTime } from '../time/range';
import { usePageTitle } from '../components/PageTitle';
import { CardLoading, EmptyState, ErrorPanel, Spinner } from '../components/Status';
import { Sparkline } from '../components/Sparkline';
import { formatCompact } from '../charts/format';
import { term } from '../search/tokenizer';
import { formatKrw, formatUsd, totalSavings, type Findings } from '../network/network';
import { SeverityBadge } from '../security/Badges';
import { countBySeverity, SEVERITIES, signalsUrl, signalsQuery, signalFiltersFromParams, type Signal } from '../security/signals';

interface ServiceRow {
  service: string;
  volume: number;
  errors: number;
  rate: number;
  volumeSpark: (number | null)[];
  errorSpark: (number | null)[];
}

const SPARK_BUCKETS = 30;

export function rateClass(rate: number): string {
  if (rate >= 0.05) return 'rate-high';
  if (rate >= 0.01) return 'rate-mid';
  return 'rate-low';
}

function totalRows(d: DatasetStats): number {
  return (d.file_rows ?? 0) + (d.buffered_rows ?? 0);
}

export default function Home() {
  const t = useT();
  usePageTitle(t('home.title'));
  const { resolved, range, setRange } = useTimeRange();
  const { fromMs, toMs } = resolved;

  const datasets = useAsync((s) => api.datasets(s), []);
  const hasAnyData = datasets.data ? datasets.data.some((d) => totalRows(d) > 0) : undefined;
  const hasLogs = datasets.data?.some((d) => d.name === 'logs' && totalRows(d) > 0) ?? false;

  const health = useAsync(
    (s) => {
      if (!hasLogs) return null;
      const base = { dataset: 'logs', from_ms: fromMs, to_ms: toMs, group_by: ['service'], limit: 50 };
      return Promise.all([
        api.aggregate({ ...base, query: '', measure: { op: 'count' } }, s),
        api.aggregate({ ...base, query: 'level:error', measure: { op: 'count' } }, s),
        api.timeseries({ ...base, query: '', measure: { op: 'count' }, buckets: SPARK_BUCKETS }, s),
        api.timeseries({ ...base, query: 'level:error', measure: { op: 'count' }, buckets: SPARK_BUCKETS }, s),
      ]);
    },
    [hasLogs, fromMs, toMs],
  );

  // Request count and p95 latency per service from server spans (APM), when there are spans.
  const hasSpans = datasets.data?.some((d) => d.name === 'spans' && totalRows(d) > 0) ?? false;
  const apm = useAsync(
    (s) => {
      if (!hasSpans) return null;
      const base = { dataset: 'spans', query: 'kind:server', from_ms: fromMs, to_ms: toMs, group_by: ['service'], limit: 50 };
      return Promise.all([
        api.aggregate({ ...base, measure: { op: 'count' } }, s),
        api.aggregate({ ...base, measure: { op: 'p95', field: 'duration_ns' } }, s),
      ]).then(([count, p95]) => ({
        requests: new Map(count.rows.map((r) => [groupKey(r.group), r.value ?? 0])),
        p95ms: new Map(p95.rows.map((r) => [groupKey(r.group), r.value === null ? null : r.value / 1e6])),
      }));
    },
    [hasSpans, fromMs, toMs],
  );

  // The network savings tile, when flows were imported.
  const hasFlows = datasets.data?.some((d) => d.name === 'flows' && totalRows(d) > 0) ?? false;
  const network = useAsync((s) => (hasFlows ? api.networkFindings({ from_ms: fromMs, to_ms: toMs }, s) : null), [hasFlows, fromMs, toMs]);

  // Open security signals of the last 7 days, when detections were stored.
  const hasSignals = datasets.data?.some((d) => d.name === 'signals' && totalRows(d) > 0) ?? false;
  const security = useAsync(
    (s) => {
      if (!hasSignals) return null;
      const to = Date.now();
      return api.signals(signalsQuery(signalFiltersFromParams(new URLSearchParams('status=open')), { fromMs: to - 7 * 86_400_000, toMs: to }), s);
    },
    [hasSignals],
  );

  const recent = useAsync(
    (s) =>
      hasLogs
        ? api.search({ dataset: 'logs', query: 'level:error', from_ms: fromMs, to_ms: toMs, limit: 12, facets: [], buckets: 1 }, s)
        : null,
    [hasLogs, fromMs, toMs],
  );

  const rows = useMemo(() => (health.data ? buildRows(...health.data) : []), [health.data]);
  const totals = useMemo(() => {
    const volume = rows.reduce((a, r) => a + r.volume, 0);
    const errors = rows.reduce((a, r) => a + r.errors, 0);
    return { volume, errors, rate: volume ? errors / volume : 0, affected: rows.filter((r) => r.errors > 0).length };
  }, [rows]);

  if (datasets.error) {
    return <ErrorPanel title={t('error.loadDatasets')} message={errorMessage(datasets.error)} />;
  }
  if (!datasets.data) return <div className="page-loading"><Spinner label={t('common.loading')} /></div>;
  if (!hasAnyData) return <NoData />;

  const explore = (q: string) => withTime(`/explore?dataset=logs&q=${encodeURIComponent(q)}`, range);

  return (
    <div className="page home" data-testid="home-page">
      {/* The log tiles need logs (a server fed only audit events or flows has none). */}
      {hasLogs ? (
      <section className="kpis" aria-label={t('home.summary')}>
        <Kpi label={t('home.kpiLogs')} value={formatCompact(totals.volume)} loading={health.loading && !health.data} />
        <Kpi label={t('home.kpiErrors')} value={formatCompact(totals.errors)} loading={health.loading && !health.data} tone={totals.errors ? 'bad' : undefined} />
        <Kpi label={t('home.kpiRate')} value={`${(totals.rate * 100).toFixed(2)}%`} loading={health.loading && !health.data} tone={totals.rate >= 0.05 ? 'bad' : totals.rate >= 0.01 ? 'warn' : 'good'} />
        <Kpi label={t('home.kpiAffected')} value={`${totals.affected} / ${rows.length}`} loading={health.loading && !health.data} tone={totals.affected ? 'warn' : 'good'} />
      </section>
      ) : null}

      {hasSignals ? <SecurityTile signals={security.data} loading={security.loading} failed={!!security.error} /> : null}
      {hasFlows ? <NetworkTile findings={network.data} loading={network.loading} /> : null}

      {hasLogs ? (
      <div className="home-grid">
        <section className="card" aria-labelledby="svc-h">
          <header className="card-head">
            <h2 id="svc-h">{t('home.services')}</h2>
            <span className="muted small">{t('home.servicesHint')}</span>
            {health.loading ? <Spinner small /> : null}
          </header>
          {health.error ? (
            <ErrorPanel title={t('error.query')} message={errorMessage(health.error)} />
          ) : !health.data ? (
            <CardLoading />
          ) : rows.length === 0 ? (
            <EmptyState title={t('home.noLogsInRange')}>
              <p>{t('home.noLogsInRangeHint')}</p>
              <button type="button" className="btn" onClick={() => setRange({ from: 'now-7d', to: 'now' })}>
                {t('time.last7d')}
              </button>
            </EmptyState>
          ) : (
            <div className="table-scroll">
            <table className="table services-table" data-testid="services-table">
              <thead>
                <tr>
                  <th>{t('home.service')}</th>
                  <th className="right">{t('home.errorRate')}</th>
                  <th className="right">{t('home.errors')}</th>
                  <th>{t('home.errorsOverTime')}</th>
                  <th className="right">{t('home.volume')}</th>
                  <th>{t('home.volumeOverTime')}</th>
                  {hasSpans ? <th className="right" title={t('home.requestsHint')}>{t('home.requests')}</th> : null}
                  {hasSpans ? <th className="right" title={t('home.requestsHint')}>{t('home.p95')}</th> : null}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.service} className={rateClass(r.rate)} data-testid="service-row">
                    <td>
                      <Link to={explore(term('service', r.service))} className="service-link">
                        {r.service}
                      </Link>
                    </td>
                    <td className="right">
                      <span className={`rate-badge ${rateClass(r.rate)}`}>{(r.rate * 100).toFixed(2)}%</span>
                    </td>
                    <td className="right">
                      {r.errors ? <Link to={explore(`${term('service', r.service)} level:error`)}>{formatCompact(r.errors)}</Link> : <span className="muted">0</span>}
                    </td>
                    <td>
                      <Sparkline values={r.errorSpark} color={r.errors ? 'var(--bad)' : 'var(--border-strong)'} label={t('home.errorsOverTime')} />
                    </td>
                    <td className="right">{formatCompact(r.volume)}</td>
                    <td>
                      <Sparkline values={r.volumeSpark} label={t('home.volumeOverTime')} />
                    </td>
                    {hasSpans ? <td className="right">{apm.data ? formatCompact(apm.data.requests.get(r.service) ?? 0) : apm.loading ? '…' : '–'}</td> : null}
                    {hasSpans ? (
                      <td className="right nowrap">
                        {apm.data && apm.data.p95ms.get(r.service) != null ? `${formatCompact(apm.data.p95ms.get(r.service)!)} ms` : apm.loading ? '…' : '–'}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="err-h">
          <header className="card-head">
            <h2 id="err-h">{t('home.recentErrors')}</h2>
            {recent.loading ? <Spinner small /> : null}
          </header>
          {recent.error ? (
            <ErrorPanel title={t('error.query')} message={errorMessage(recent.error)} />
          ) : !recent.data ? (
            <CardLoading />
          ) : recent.data.events.length === 0 ? (
            <EmptyState title={t('home.noErrors')}>
              <p>{t('home.noErrorsHint')}</p>
            </EmptyState>
          ) : (
            <ul className="recent-errors" data-testid="recent-errors">
              {recent.data.events.map((e, i) => (
                <li key={i}>
                  <Link to={explore(errorQuery(e))} className="recent-error" data-testid="recent-error">
                    <span className="recent-meta">
                      <span className="level level-error">error</span>
                      <strong>{String(e.service ?? '')}</strong>
                      <time className="muted">{formatTime(eventTimeMs(e.timestamp) ?? 0)}</time>
                    </span>
                    <span className="recent-body">{String(e.body ?? e['exception.message'] ?? '')}</span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      ) : null}
    </div>
  );
}

/** The explorer query that finds errors like this one. */
export function errorQuery(e: Event): string {
  const parts: string[] = [];
  if (e.service) parts.push(term('service', String(e.service)));
  parts.push('level:error');
  const ex = e['exception.type'] ?? e['error.kind'];
  if (typeof ex === 'string' && ex) parts.push(term('exception.type', ex));
  return parts.join(' ');
}

function groupKey(g: unknown): string {
  return g === null || g === undefined ? '' : String(g);
}

export function buildRows(volume: AggregateResponse, errors: AggregateResponse, volumeTs: TimeseriesResponse, errorTs: TimeseriesResponse): ServiceRow[] {
  const errs = new Map(errors.rows.map((r) => [groupKey(r.group), r.value ?? 0]));
  const spark = (ts: TimeseriesResponse) => new Map(ts.series.map((s) => [groupKey(s.group), s.points.map((p) => p[1])]));
  const vs = spark(volumeTs);
  const es = spark(errorTs);
  const rows = volume.rows
    .filter((r) => r.group !== null && r.group !== undefined)
    .map((r) => {
      const service = groupKey(r.group);
      const v = r.value ?? 0;
      const e = errs.get(service) ?? 0;
      return {
        service,
        volume: v,
        errors: e,
        rate: v ? e / v : 0,
        volumeSpark: vs.get(service) ?? [],
        errorSpark: es.get(service) ?? new Array(SPARK_BUCKETS).fill(0),
      };
    });
  rows.sort((a, b) => b.rate - a.rate || b.errors - a.errors || b.volume - a.volume);
  return rows;
}

function NetworkTile({ findings, loading }: { findings?: Findings; loading: boolean }) {
  const t = useT();
  const { range } = useTimeRange();
  const savings = findings ? totalSavings(findings) : null;
  return (
    <section className="card network-tile" data-testid="home-network">
      <header className="card-head">
        <h2>{t('home.network')}</h2>
        {savings ? (
          <span className="network-savings" data-testid="home-network-savings">
            {formatKrw(savings.krw)} <span className="muted">({formatUsd(savings.usd)})</span>
          </span>
        ) : loading ? (
          <Spinner small />
        ) : null}
        <span className="muted small">{t('home.networkHint')}</span>
        <span className="spacer" />
        <Link to={withTime('/network', range)}>{t('home.networkOpen')}</Link>
      </header>
      {findings && findings.findings.length ? (
        <ul className="network-tile-list">
          {findings.findings.slice(0, 3).map((f, i) => (
            <li key={i}>
              <span className="finding-kind">{f.kind}</span> {f.title} <strong>{formatKrw(f.monthly_savings_krw)}</strong>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function SecurityTile({ signals, loading, failed }: { signals?: Signal[]; loading: boolean; failed: boolean }) {
  const t = useT();
  const counts = signals ? countBySeverity(signals) : null;
  const week = { from: 'now-7d', to: 'now' };
  return (
    <section className="card security-tile" data-testid="home-security">
      <header className="card-head">
        <h2>{t('home.security')}</h2>
        <span className="muted small">{t('home.securityHint')}</span>
        {loading ? <Spinner small /> : null}
        <span className="spacer" />
        <Link to={signalsUrl({ status: 'open' }, week)} data-testid="home-security-open">{t('home.securityOpen')}</Link>
      </header>
      {failed ? (
        <p className="muted small card-note">{t('error.query')}</p>
      ) : counts ? (
        <ul className="security-tile-counts">
          {SEVERITIES.map((sev) => (
            <li key={sev} className={counts[sev] ? '' : 'zero'}>
              <Link to={signalsUrl({ status: 'open', severity: sev }, week)} data-testid={`home-security-${sev}`}>
                <span className="security-tile-n">{counts[sev]}</span>
                <SeverityBadge severity={sev} />
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function Kpi({ label, value, tone, loading }: { label: string; value: string; tone?: 'good' | 'warn' | 'bad'; loading?: boolean }) {
  return (
    <div className={`kpi ${tone ?? ''}`}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{loading ? <Spinner small /> : value}</div>
    </div>
  );
}

function NoData() {
  const t = useT();
  const origin = window.location.origin;
  const host = window.location.hostname || 'localhost';
  return (
    <div className="page" data-testid="home-empty">
      <EmptyState title={t('home.emptyTitle')}>
        <p>{t('home.emptyIntro')}</p>
        <ol className="howto">
          <li>
            <strong>{t('home.emptyOtlp')}</strong>
            <pre>{`OTEL_EXPORTER_OTLP_ENDPOINT=http://${host}:4318   # OTLP/HTTP\nOTEL_EXPORTER_OTLP_ENDPOINT=http://${host}:4317   # OTLP/gRPC`}</pre>
          </li>
          <li>
            <strong>{t('home.emptyNdjson')}</strong>
            <div className="muted small">{t('home.emptyKey')}</div>
            <pre>{`curl -X POST ${origin}/api/v1/ingest/logs \\\n  -H 'Content-Type: application/x-ndjson' \\\n  -H 'x-hannun-api-key: YOUR_KEY' \\\n  --data-binary '{"timestamp":"${new Date().toISOString()}","service":"my-api","level":"error","message":"hello"}'`}</pre>
          </li>
          <li>{t('home.emptyDemo')}</li>
        </ol>
      </EmptyState>
    </div>
  );
}
