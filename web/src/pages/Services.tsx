import { useMemo, useState } from 'react';
import { api } from '../api/client';
import { useAsync } from '../api/useAsync';
import { useT, type MessageKey } from '../i18n';
import { Link, useSearchParams } from '../router';
import { useTimeRange } from '../time/context';
import { usePageTitle } from '../components/PageTitle';
import { EnvSelect } from '../components/EnvSelect';
import { RedCells } from '../components/RedCells';
import { SortTh } from '../components/SortTh';
import { Sparkline } from '../components/Sparkline';
import { CardLoading, EmptyState, LoadError, Spinner } from '../components/Status';
import { formatFull } from '../charts/format';
import {
  DEFAULT_SORT,
  envsOf,
  exploreSpansUrl,
  nextSort,
  sortRows,
  type ServicesResponse,
  type Sort,
  type SortKey,
  RED_COLUMNS,
  withSelectedEnv,
} from '../apm/services';
import { serviceUrl } from '../apm/service';

const COLUMNS: { key: SortKey; label: MessageKey; numeric: boolean }[] = [
  { key: 'service', label: 'apm.service', numeric: false },
  { key: 'env', label: 'apm.env', numeric: false },
  ...RED_COLUMNS,
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
  const envs = useMemo(() => withSelectedEnv(envsOf(all), env), [all, env]);
  const rows = useMemo(() => sortRows(env ? all.filter((r) => r.env === env) : all, sort), [all, env, sort]);

  return (
    <div className="page services-page" data-testid="apm-services-page">
      <section className="card">
        <header className="card-head">
          <h2>{t('apm.title')}</h2>
          <EnvSelect value={env} envs={envs} onChange={(v) => setParams({ env: v || null })} testid="apm-env-select" />
          <span className="spacer" />
          {res.loading && res.data ? <Spinner small /> : null}
          {res.data ? (
            <span className="muted small" data-testid="apm-summary">
              {t('apm.summary', { n: formatFull(rows.length), ms: formatFull(Math.round(res.data.elapsed_ms)) })}
            </span>
          ) : null}
        </header>
        {res.error ? (
          <LoadError title={t('apm.loadFailed')} error={res.error} onRetry={res.reload} testid="apm-error" />
        ) : !res.data ? (
          <CardLoading />
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
                  {COLUMNS.map((c) => (
                    <SortTh
                      key={c.key}
                      col={c.key}
                      label={t(c.label)}
                      numeric={c.numeric}
                      sort={sort}
                      onSort={(k) => setSort((s) => nextSort(s, k))}
                      testid={`apm-sort-${c.key}`}
                      title={c.key === 'apdex' ? t('apm.apdexHint', { ms: formatFull(res.data!.apdex_threshold_ms) }) : undefined}
                    />
                  ))}
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
                    <RedCells row={r} requestsTestid="apm-requests" />
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
