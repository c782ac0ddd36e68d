import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { useAsync } from '../api/useAsync';
import { useI18n } from '../i18n';
import { Link, useNavigate, useSearchParams } from '../router';
import { useTimeRange } from '../time/context';
import { formatTime, formatTimestamp } from '../time/range';
import { usePageTitle } from '../components/PageTitle';
import { CardLoading, EmptyState, LoadError, Spinner } from '../components/Status';
import { formatFull } from '../charts/format';
import { formatAgo } from '../issues/issues';
import { SecurityTabs } from '../security/SecurityTabs';
import { ActorBadge } from '../security/Badges';
import { identitiesQuery } from '../security/identity';
import { identityUrl } from '../security/signals';

/** The API's cap on one list. */
const LIST_CAP = 500;

export default function SecurityIdentitiesPage() {
  const { t, lang } = useI18n();
  usePageTitle(t('sec.ids.title'));
  const { range, resolved, setRange } = useTimeRange();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [draft, setDraft] = useState(q);
  useEffect(() => setDraft(q), [q]);
  const qs = identitiesQuery(q, { fromMs: resolved.fromMs, toMs: resolved.toMs }).toString();
  const res = useAsync((s) => api.identities(new URLSearchParams(qs), s), [qs]);
  const rows = res.data ?? [];
  const now = Date.now();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setParams({ q: draft.trim() || null });
  };

  return (
    <div className="page sec-page" data-testid="security-identities-page">
      <SecurityTabs />
      <section className="card">
        <form className="card-head filter-bar" onSubmit={submit} role="search">
          <input
            type="search"
            className="filter-grow"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder={t('sec.ids.placeholder')}
            aria-label={t('sec.ids.search')}
            data-testid="sec-ids-q"
          />
          <button type="submit" className="btn" data-testid="sec-ids-search">{t('search.run')}</button>
          <span className="spacer" />
          {res.loading && res.data ? <Spinner small /> : null}
          {res.data ? <span className="muted small" data-testid="sec-ids-summary">{rows.length === 1 ? t('sec.ids.summaryOne') : t('sec.ids.summary', { n: formatFull(rows.length) })}</span> : null}
        </form>
        <p className="muted small card-note">{t('sec.ids.intro')}</p>
        {res.error ? (
          <LoadError title={t('sec.ids.loadFailed')} error={res.error} onRetry={res.reload} testid="sec-ids-error" />
        ) : !res.data ? (
          <CardLoading />
        ) : rows.length === 0 ? (
          <EmptyState title={t('sec.ids.none')} testid="sec-ids-empty">
            <p>{q ? t('sec.ids.noneQuery', { q }) : t('sec.ids.noneHint')}</p>
            <div className="empty-actions">
              <button type="button" className="btn" onClick={() => setRange({ from: 'now-7d', to: 'now' })}>{t('time.last7d')}</button>
              <button type="button" className="btn" onClick={() => setRange({ from: 'now-30d', to: 'now' })}>{t('sec.last30d')}</button>
            </div>
          </EmptyState>
        ) : (
          <>
            {rows.length >= LIST_CAP ? <p className="muted small card-note">{t('sec.ids.capped', { n: formatFull(LIST_CAP) })}</p> : null}
            <div className="table-scroll">
              <table className="table sec-ids-table clickable-rows" data-testid="sec-ids-table">
                <thead>
                  <tr>
                    <th>{t('sec.ids.type')}</th>
                    <th>{t('sec.ids.identity')}</th>
                    <th>{t('sec.ids.sources')}</th>
                    <th className="right">{t('sec.ids.events')}</th>
                    <th className="right">{t('sec.ids.failures')}</th>
                    <th>{t('sec.col.firstSeen')}</th>
                    <th>{t('sec.col.lastSeen')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => {
                    const url = identityUrl(r.actor, range);
                    const rate = r.events ? r.failures / r.events : 0;
                    return (
                      <tr
                        key={r.actor}
                        onClick={(e) => {
                          if ((e.target as HTMLElement).closest('a, button') || window.getSelection()?.toString()) return;
                          navigate(url);
                        }}
                        data-testid="sec-ids-row"
                      >
                        <td className="nowrap"><ActorBadge type={r.actor_type} /></td>
                        <td className="wrap-anywhere">
                          <Link to={url} className="strong" data-testid="sec-ids-link">{r.name || r.actor}</Link>
                          {r.name && r.name !== r.actor ? <div className="muted small mono">{r.actor}</div> : null}
                        </td>
                        <td>
                          <span className="chips">
                            {r.sources.map((s) => (
                              <span key={s} className="chip">{s}</span>
                            ))}
                          </span>
                        </td>
                        <td className="right">{formatFull(r.events)}</td>
                        <td className={`right${rate >= 0.1 ? ' bad strong' : ''}`}>{formatFull(r.failures)}</td>
                        <td className="nowrap small" title={formatTimestamp(r.first_seen_ms)}>{formatTime(r.first_seen_ms, false)}</td>
                        <td className="nowrap small" title={formatTimestamp(r.last_seen_ms)}>
                          {formatTime(r.last_seen_ms, false)} <span className="muted">· {formatAgo(now - r.last_seen_ms, lang)}</span>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </div>
  );
}
