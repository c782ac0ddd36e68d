import { useMemo, useState } from 'react';
import { api, errorMessage } from '../api/client';
import { useAsync } from '../api/useAsync';
import { useT, type MessageKey } from '../i18n';
import { Link, useSearchParams } from '../router';
import { useTimeRange } from '../time/context';
import { usePageTitle } from '../components/PageTitle';
import { Sparkline } from '../components/Sparkline';
import { EmptyState, ErrorPanel, Spinner } from '../components/Status';
import { formatCompact, formatFull } from '../charts/format';
import {
  apdexClass,
  DEFAULT_SORT,
  envsOf,
  errorRateClass,
  exploreSpansUrl,
  formatApdex,
  formatMs,
  formatPerSec,
  formatRate,
  nextSort,
  sortRows,
  type ServicesResponse,
  type Sort,
  type SortKey,
} from '../apm/services';
import { serviceUrl } from '../apm/service';

const COLUMNS: { key: SortKey; label: MessageKey; numeric: boolean }[] = [
  { key: 'service', label: 'apm.service', numeric: false },
  { key: 'env', label: 'apm.env', numeric: false },
  { key: 'requests', label: 'apm.requests', numeric: true },
  { key: 'rate_per_s', label: 'apm.ratePerSec', numeric: true },
  { key: 'error_rate', label: 'apm.errorRate', numeric: true },
  { key: 'p50_ms', label: 'apm.p50', numeric: true },
  { key: 'p95_ms', label: 'apm.p95', numeric: true },
  { key: 'p99_ms', label: 'apm.p99', numeric: true },
  { key: 'apdex', label: 'apm.apdex', numeric: true },
];

export default function ServicesPage() {
  const t = useT();
  usePageTitle(t('apm.title'));
  const { range, resolved } = useTimeRange();
  const [params, setParams] = useSearchParams();
  const env = params.get('env') ?? '';
  const [sort, setSort] = useState<Sort>(DEFAULT_SORT);

  // All envs are fetched once per range so the select keeps every env; the filter applies locally.
  const res = useAsync<ServicesResponse>((s) => api.apmServices({ from_ms: resolved.fromMs, to_ms: resolved.toMs }, s), [resolved.fromMs, resolved.toMs]);
  const all = useMemo(() => res.data?.services ?? [], [res.data]);
  const envs = useMemo(() => {
    const e = envsOf(all);
    return env && !e.includes(env) ? [...e, env].sort() : e;
  }, [all, env]);
  const rows = useMemo(() => sortRows(env ? all.filter((r) => r.env === env) : all, sort), [all, env, sort]);

  return (
    <div className="page services-page" data-testid="apm-services-page">
      <section className="card">
        <header className="card-head">
          <h2>{t('apm.title')}</h2>
          <label className="field-inline apm-env">
            <span className="muted small">{t('apm.env')}</span>
            <select data-testid="apm-env-select" value={env} onChange={(e) => setParams({ env: e.target.value || null })} aria-label={t('apm.env')}>
              <option value="">{t('apm.allEnvs')}</option>
              {envs.map((e) => (
                <option key={e} value={e}>{e}</option>
              ))}
            </select>
          </label>
          <span className="spacer" />
          {res.loading && res.data ? <Spinner small /> : null}
          {res.data ? (
            <span className="muted small" data-testid="apm-summary">
              {t('apm.summary', { n: formatFull(rows.length), ms: formatFull(Math.round(res.data.elapsed_ms)) })}
            </span>
          ) : null}
        </header>
        {res.error ? (
          <ErrorPanel title={t('apm.loadFailed')} message={errorMessage(res.error)} testid="apm-error">
            <button type="button" className="btn btn-small" onClick={res.reload}>{t('common.retry')}</button>
          </ErrorPanel>
        ) : !res.data ? (
          <div className="card-loading"><Spinner label={t('common.loading')} /></div>
        ) : rows.length === 0 ? (
          <EmptyState title={t('apm.emptyTitle')} testid="apm-empty">
            <p>{t('apm.emptyIntro')}</p>
            <p>{t('apm.emptyOtlp')}</p>
            <p className="muted">{t('apm.emptyRange')}</p>
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="table apm-table" data-testid="apm-services-table">
              <thead>
                <tr>
                  {COLUMNS.map((c) => {
                    const active = sort.key === c.key;
                    return (
                      <th
                        key={c.key}
                        className={c.numeric ? 'right' : undefined}
                        aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                        title={c.key === 'apdex' ? t('apm.apdexHint', { ms: formatFull(res.data!.apdex_threshold_ms) }) : undefined}
                      >
                        <button
                          type="button"
                          className={active ? 'sort-btn active' : 'sort-btn'}
                          onClick={() => setSort((s) => nextSort(s, c.key))}
                          data-testid={`apm-sort-${c.key}`}
                          aria-label={t('apm.sortBy', { col: t(c.label) })}
                        >
                          {t(c.label)}
                          <span className="sort-arrow" aria-hidden>{active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}</span>
                        </button>
                      </th>
                    );
                  })}
                  <th>{t('apm.requestsOverTime')}</th>
                  <th>{t('apm.errorsOverTime')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.service}\u0000${r.env ?? ''}`} data-testid="apm-service-row" data-service={r.service}>
                    <td className="service-cell">
                      <Link to={serviceUrl(r.service, { env: r.env, range })} className="service-link" title={t('apm.openService', { service: r.service })} data-testid="apm-service-link">
                        {r.service}
                      </Link>
                      <Link to={exploreSpansUrl(r, range)} className="explore-mini" title={t('apm.openInExplore', { service: r.service })} aria-label={t('apm.openInExplore', { service: r.service })} data-testid="apm-service-explore">
                        {t('apm.viewSpans')}
                      </Link>
                    </td>
                    <td>{r.env ? <span className="env-chip">{r.env}</span> : <span className="muted">–</span>}</td>
                    <td className="right" title={formatFull(r.requests)} data-testid="apm-requests">{formatCompact(r.requests)}</td>
                    <td className="right">{formatPerSec(r.rate_per_s)}</td>
                    <td className="right">
                      <span className={`apm-rate ${errorRateClass(r.error_rate)}`} title={`${formatFull(r.errors)} / ${formatFull(r.requests)}`}>{formatRate(r.error_rate)}</span>
                    </td>
                    <td className="right nowrap">{formatMs(r.p50_ms)}</td>
                    <td className="right nowrap">{formatMs(r.p95_ms)}</td>
                    <td className="right nowrap">{formatMs(r.p99_ms)}</td>
                    <td className="right">
                      <span className={`apdex-badge ${apdexClass(r.apdex)}`}>{formatApdex(r.apdex)}</span>
                    </td>
                    <td>
                      <Sparkline values={r.requests_series} label={t('apm.requestsOverTime')} />
                    </td>
                    <td>
                      <Sparkline values={r.errors_series} color={r.errors ? 'var(--bad)' : 'var(--border-strong)'} label={t('apm.errorsOverTime')} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
