import { useMemo, useState } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import { useAsync } from '../api/useAsync';
import { useI18n, type MessageKey } from '../i18n';
import { Link } from '../router';
import { useTimeRange, withTime } from '../time/context';
import { formatTimestamp } from '../time/range';
import { usePageTitle } from '../components/PageTitle';
import { CopyButton } from '../components/CopyButton';
import { CardLoading, EmptyState, LoadError, Spinner } from '../components/Status';
import { TimeChart, type ChartSeries } from '../charts/TimeChart';
import { formatFull } from '../charts/format';
import { serviceUrl } from '../apm/service';
import {
  actionsFor,
  formatAge,
  formatAgo,
  parseStack,
  sampleExploreUrl,
  toMs,
  type IssueDetailResponse,
  type IssueStatus,
} from '../issues/issues';
import { RegressedBadge, StatusBadge } from '../issues/IssueBadges';

const ACTION: Record<IssueStatus, { key: MessageKey; testid: string; cls: string }> = {
  resolved: { key: 'issue.resolve', testid: 'issue-resolve', cls: 'btn btn-primary' },
  ignored: { key: 'issue.ignore', testid: 'issue-ignore', cls: 'btn' },
  open: { key: 'issue.reopen', testid: 'issue-reopen', cls: 'btn' },
};

export default function IssuePage({ fingerprint }: { fingerprint: string }) {
  const { t } = useI18n();
  const { range, resolved } = useTimeRange();
  const res = useAsync<IssueDetailResponse>((s) => api.issue(fingerprint, { from_ms: resolved.fromMs, to_ms: resolved.toMs }, s), [fingerprint, resolved.fromMs, resolved.toMs]);
  usePageTitle(t('issue.title'), res.data?.issue.title ?? t('issue.title'));

  if (res.error) {
    const e = res.error;
    const notFound = e instanceof ApiError && e.status === 404;
    return (
      <div className="page" data-testid="issue-page">
        {notFound ? (
          <EmptyState title={t('issue.notFound')} testid="issue-not-found">
            <p className="mono">{fingerprint}</p>
            <p>{t('issue.notFoundHint')}</p>
            <Link className="btn" to={withTime('/issues', range)}>{t('issue.back')}</Link>
          </EmptyState>
        ) : (
          <LoadError title={t('issue.loadFailed')} error={e} onRetry={res.reload} testid="issue-error" />
        )}
      </div>
    );
  }
  if (!res.data) {
    return (
      <div className="page" data-testid="issue-page">
        <CardLoading />
      </div>
    );
  }
  return <IssueView key={fingerprint} data={res.data} />;
}

function IssueView({ data }: { data: IssueDetailResponse }) {
  const { t, lang } = useI18n();
  const { range } = useTimeRange();
  const issue = data.issue;
  const [status, setStatus] = useState<IssueStatus>(issue.status);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const now = Date.now();
  const last = toMs(issue.last_seen);
  const first = toMs(issue.first_seen);

  const change = async (next: IssueStatus) => {
    setBusy(true);
    setFailure(null);
    try {
      const r = await api.setIssueStatus(issue.fingerprint, next);
      setStatus(r && (r.status === 'open' || r.status === 'resolved' || r.status === 'ignored') ? r.status : next);
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const chart = useMemo(() => {
    const ts = data.series?.timestamps_ms ?? [];
    const counts = data.series?.counts ?? [];
    const n = Math.min(ts.length, counts.length);
    const series: ChartSeries[] = [{ label: t('issue.occurrences'), values: counts.slice(0, n), color: 'var(--bad)' }];
    return { x: ts.slice(0, n), series };
  }, [data.series, t]);
  const stack = useMemo(() => parseStack(data.stack), [data.stack]);
  const hasInApp = stack.some((l) => l.inApp) && stack.some((l) => l.frame && !l.inApp);

  return (
    <div className="page issue-page" data-testid="issue-page">
      <section className="card issue-header">
        <div className="issue-header-top">
          <div className="issue-heading">
            <Link to={withTime('/issues', range)} className="small" data-testid="issue-back">← {t('issue.back')}</Link>
            <h2 className="issue-page-title" data-testid="issue-page-title">{issue.title || issue.error_type}</h2>
            {issue.culprit ? <div className="issue-culprit mono">{issue.culprit}</div> : null}
            {issue.message && issue.message !== issue.title ? <div className="issue-message">{issue.message}</div> : null}
          </div>
          <span className="spacer" />
          <div className="issue-actions">
            <span className="badges">
              <StatusBadge status={status} testid="issue-page-status" />
              {issue.regressed && status === 'open' ? <RegressedBadge /> : null}
            </span>
            {actionsFor(status).map((a) => (
              <button key={a} type="button" className={ACTION[a].cls} disabled={busy} onClick={() => void change(a)} data-testid={ACTION[a].testid}>
                {t(ACTION[a].key)}
              </button>
            ))}
            {busy ? <Spinner small /> : null}
          </div>
        </div>
        {failure ? <div className="form-error" role="alert" data-testid="issue-status-error">{t('issue.updateFailed')}: {failure}</div> : null}
        <dl className="trace-stats">
          <div>
            <dt>{t('issue.count')}</dt>
            <dd data-testid="issue-page-count">{formatFull(issue.count)}</dd>
          </div>
          <div>
            <dt>{t('issue.firstSeen')}</dt>
            <dd className="small" title={first !== null ? formatTimestamp(first) : undefined}>{first !== null ? formatAge(now - first, lang) : '–'}</dd>
          </div>
          <div>
            <dt>{t('issue.lastSeen')}</dt>
            <dd className="small" title={last !== null ? formatTimestamp(last) : undefined}>{last !== null ? formatAgo(now - last, lang) : '–'}</dd>
          </div>
          <div>
            <dt>{t('issue.fingerprint')}</dt>
            <dd className="mono small fingerprint">
              {issue.fingerprint}
              <CopyButton text={issue.fingerprint} label={t('common.copy')} />
            </dd>
          </div>
          <div className="trace-services">
            <dt>{t('issue.services')}</dt>
            <dd>
              {(issue.services ?? []).map((s) => (
                <Link key={s} className="chip chip-link" to={serviceUrl(s, { range })}>{s}</Link>
              ))}
            </dd>
          </div>
        </dl>
      </section>

      <section className="card">
        <header className="card-head">
          <h2>{t('issue.overTime')}</h2>
        </header>
        <div className="chart-pad">
          {chart.x.length ? (
            <TimeChart x={chart.x} series={chart.series} kind="bars" height={170} stepMs={(data.bucket_seconds || 60) * 1000} legend={false} testid="issue-chart" />
          ) : (
            <p className="muted small">{t('issue.noSeries')}</p>
          )}
        </div>
      </section>

      <section className="card">
        <header className="card-head">
          <h2>{t('issue.stack')}</h2>
          {hasInApp ? <span className="muted small">{t('issue.inAppHint')}</span> : null}
          <span className="spacer" />
          {data.stack ? <CopyButton text={data.stack} label={t('common.copy')} /> : null}
        </header>
        {stack.length ? (
          <div className="issue-stack mono" data-testid="issue-stack" role="region" aria-label={t('issue.stack')}>
            {stack.map((l, i) => (
              <div key={i} className={l.inApp && hasInApp ? 'frame in-app' : l.frame ? 'frame' : 'stack-text'}>
                {l.text || '\u00a0'}
              </div>
            ))}
          </div>
        ) : (
          <p className="muted small card-note">{t('issue.noStack')}</p>
        )}
      </section>

      <section className="card">
        <header className="card-head">
          <h2>{t('issue.samples')}</h2>
          <span className="muted small">{formatFull(data.samples?.length ?? 0)}</span>
        </header>
        {(data.samples ?? []).length === 0 ? (
          <p className="muted small card-note">{t('issue.noSamples')}</p>
        ) : (
          <div className="table-scroll">
            <table className="table" data-testid="issue-samples">
              <thead>
                <tr>
                  <th>{t('issue.time')}</th>
                  <th>{t('issue.service')}</th>
                  <th>{t('apm.env')}</th>
                  <th>{t('issue.source')}</th>
                  <th>{t('issue.message')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.samples.map((s, k) => {
                  const ms = toMs(s.timestamp);
                  return (
                    <tr key={k} data-testid="issue-sample-row">
                      <td className="mono nowrap small">{ms !== null ? formatTimestamp(ms) : '–'}</td>
                      <td className="nowrap">{s.service}</td>
                      <td>{s.env ? <span className="env-chip">{s.env}</span> : <span className="muted">–</span>}</td>
                      <td className="muted small">{s.source}</td>
                      <td className="log-body mono small">{s.message}</td>
                      <td className="nowrap right">
                        {s.trace_id ? (
                          <Link className="btn btn-small" to={withTime(`/traces/${encodeURIComponent(s.trace_id)}`, range)} data-testid="sample-trace">
                            {t('trace.viewTrace')}
                          </Link>
                        ) : null}{' '}
                        <Link className="btn btn-small" to={sampleExploreUrl(s)} data-testid="sample-explore">
                          {t('nav.explore')}
                        </Link>
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
