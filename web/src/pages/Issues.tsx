import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { useAsync } from '../api/useAsync';
import { useI18n, type MessageKey } from '../i18n';
import { Link, useSearchParams } from '../router';
import { useTimeRange } from '../time/context';
import { formatTimestamp } from '../time/range';
import { usePageTitle } from '../components/PageTitle';
import { Sparkline } from '../components/Sparkline';
import { CardLoading, EmptyState, LoadError, Spinner } from '../components/Status';
import { formatCompact, formatFull } from '../charts/format';
import { envsOf, withSelectedEnv } from '../apm/services';
import {
  formatAge,
  formatAgo,
  issueFiltersFromParams,
  issuesQuery,
  issueUrl,
  SORTS,
  STATUS_FILTERS,
  toMs,
  type IssuesResponse,
} from '../issues/issues';
import { RegressedBadge, ServiceChips, StatusBadge } from '../issues/IssueBadges';

const STATUS_LABEL: Record<string, MessageKey> = {
  open: 'issues.status.open',
  resolved: 'issues.status.resolved',
  ignored: 'issues.status.ignored',
  all: 'issues.status.all',
};
const SORT_LABEL: Record<string, MessageKey> = {
  last_seen: 'issues.sort.last_seen',
  count: 'issues.sort.count',
  first_seen: 'issues.sort.first_seen',
};

export default function IssuesPage() {
  const { t, lang } = useI18n();
  usePageTitle(t('issues.title'));
  const { range, resolved } = useTimeRange();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => issueFiltersFromParams(params), [params]);
  const [q, setQ] = useState(filters.q);
  useEffect(() => setQ(filters.q), [filters.q]);

  const res = useAsync<IssuesResponse>(
    (s) => api.issues(issuesQuery(filters, { fromMs: resolved.fromMs, toMs: resolved.toMs }), s),
    [filters.status, filters.service, filters.env, filters.q, filters.sort, resolved.fromMs, resolved.toMs],
  );
  // Services and envs for the selects come from the APM catalog plus the issues shown.
  const catalog = useAsync((s) => api.apmServices({ from_ms: resolved.fromMs, to_ms: resolved.toMs }, s).catch(() => null), [resolved.fromMs, resolved.toMs]);
  const issues = useMemo(() => res.data?.issues ?? [], [res.data]);
  const services = useMemo(() => {
    const set = new Set<string>();
    for (const r of catalog.data?.services ?? []) set.add(r.service);
    for (const i of issues) for (const s of i.services ?? []) set.add(s);
    if (filters.service) set.add(filters.service);
    return [...set].sort();
  }, [catalog.data, issues, filters.service]);
  const envs = useMemo(() => withSelectedEnv(envsOf(catalog.data?.services ?? []), filters.env), [catalog.data, filters.env]);
  const now = Date.now();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setParams({ q: q.trim() || null });
  };

  return (
    <div className="page issues-page" data-testid="issues-page">
      <section className="card">
        <form className="card-head filter-bar" onSubmit={submit} role="search">
          <label className="field-inline">
            <span className="muted small">{t('issues.status')}</span>
            <select value={filters.status} onChange={(e) => setParams({ status: e.target.value === 'open' ? null : e.target.value })} data-testid="issues-status-select">
              {STATUS_FILTERS.map((s) => (
                <option key={s} value={s}>{t(STATUS_LABEL[s])}</option>
              ))}
            </select>
          </label>
          <label className="field-inline">
            <span className="muted small">{t('issues.service')}</span>
            <select value={filters.service} onChange={(e) => setParams({ service: e.target.value || null })} data-testid="issues-service-select">
              <option value="">{t('issues.allServices')}</option>
              {services.map((s) => (
                <option key={s} value={s}>{s}</option>
              ))}
            </select>
          </label>
          <label className="field-inline">
            <span className="muted small">{t('apm.env')}</span>
            <select value={filters.env} onChange={(e) => setParams({ env: e.target.value || null })} data-testid="issues-env-select">
              <option value="">{t('apm.allEnvs')}</option>
              {envs.map((s) => (
                <option key={s} value={s}>{s}</option>
              ))}
            </select>
          </label>
          <input
            type="search"
            className="filter-grow"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder={t('issues.searchPlaceholder')}
            aria-label={t('issues.searchLabel')}
            data-testid="issues-q"
          />
          <button type="submit" className="btn" data-testid="issues-search">{t('search.run')}</button>
          <label className="field-inline">
            <span className="muted small">{t('issues.sort')}</span>
            <select value={filters.sort} onChange={(e) => setParams({ sort: e.target.value === 'last_seen' ? null : e.target.value })} data-testid="issues-sort-select">
              {SORTS.map((s) => (
                <option key={s} value={s}>{t(SORT_LABEL[s])}</option>
              ))}
            </select>
          </label>
          <span className="spacer" />
          {res.loading && res.data ? <Spinner small /> : null}
          {res.data ? (
            <span className="muted small" data-testid="issues-summary">
              {t('issues.summary', { n: formatFull(issues.length), ms: formatFull(Math.round(res.data.elapsed_ms)) })}
            </span>
          ) : null}
        </form>
        {res.error ? (
          <LoadError title={t('issues.loadFailed')} error={res.error} onRetry={res.reload} testid="issues-error" />
        ) : !res.data ? (
          <CardLoading />
        ) : issues.length === 0 ? (
          <EmptyState title={t('issues.none')} testid="issues-empty">
            <p>{t('issues.noneHint')}</p>
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="table issues-table" data-testid="issues-table">
              <thead>
                <tr>
                  <th>{t('issues.issue')}</th>
                  <th>{t('issues.trend')}</th>
                  <th className="right">{t('issues.events')}</th>
                  <th>{t('issues.status')}</th>
                </tr>
              </thead>
              <tbody>
                {issues.map((i) => {
                  const last = toMs(i.last_seen);
                  const first = toMs(i.first_seen);
                  return (
                    <tr key={i.fingerprint} data-testid="issue-row" data-fingerprint={i.fingerprint} className={`issue-row status-${i.status}`}>
                      <td className="issue-main">
                        <Link to={issueUrl(i.fingerprint, range)} className="issue-title" data-testid="issue-title" title={i.title}>
                          {i.title || i.error_type || i.fingerprint}
                        </Link>
                        {i.culprit ? <div className="issue-culprit mono" data-testid="issue-culprit">{i.culprit}</div> : i.message && !(i.title ?? '').includes(i.message) ? <div className="issue-culprit">{i.message}</div> : null}
                        <div className="issue-meta">
                          <span data-testid="issue-last-seen" title={last !== null ? formatTimestamp(last) : undefined}>
                            {t('issues.lastSeen', { ago: last !== null ? formatAgo(now - last, lang) : '–' })}
                          </span>
                          <span aria-hidden>·</span>
                          <span data-testid="issue-age" title={first !== null ? formatTimestamp(first) : undefined}>
                            {t('issues.age', { age: first !== null ? formatAge(now - first, lang) : '–' })}
                          </span>
                          <ServiceChips services={i.services ?? []} />
                        </div>
                      </td>
                      <td>
                        <Sparkline values={i.series ?? []} color="var(--bad)" width={140} label={t('issues.trend')} />
                      </td>
                      <td className="right issue-count" data-testid="issue-count" title={formatFull(i.count)}>{formatCompact(i.count)}</td>
                      <td>
                        <span className="badges">
                          <StatusBadge status={i.status} />
                          {i.regressed ? <RegressedBadge /> : null}
                        </span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
