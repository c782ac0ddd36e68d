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
import { formatFull } from '../charts/format';
import { formatAgo } from '../issues/issues';
import { SecurityTabs } from '../security/SecurityTabs';
import { SeverityBadge, SignalStatusBadge } from '../security/Badges';
import { EventsTable } from '../security/EventsTable';
import { ExceptionForm } from '../security/ExceptionForm';
import { ExceptionsTable } from '../security/ExceptionsTable';
import { draftForSignal, fieldCandidates } from '../security/exceptions';
import { shortActor } from '../security/identity';
import { useWho } from '../security/who';
import {
  entityUrl,
  formatInstant,
  ruleUrl,
  SIGNAL_STATUSES,
  signalsUrl,
  type SignalComment,
  type SignalDetail,
  type SignalStatus,
} from '../security/signals';

export default function SecuritySignalPage({ signalId }: { signalId: string }) {
  const { t } = useI18n();
  const { range } = useTimeRange();
  const res = useAsync<SignalDetail>((s) => api.signal(signalId, s), [signalId]);
  usePageTitle(t('sec.signal.title'), res.data?.signal.title ?? t('sec.signal.title'));

  if (res.error) {
    const notFound = res.error instanceof ApiError && res.error.status === 404;
    return (
      <div className="page sec-page" data-testid="security-signal-page">
        <SecurityTabs />
        {notFound ? (
          <EmptyState title={t('sec.signal.notFound')} testid="sec-signal-not-found">
            <p className="mono">{signalId}</p>
            <p>{t('sec.signal.notFoundHint')}</p>
            <Link className="btn" to={withTime('/security', range)}>{t('sec.signal.back')}</Link>
          </EmptyState>
        ) : (
          <LoadError title={t('sec.signal.loadFailed')} error={res.error} onRetry={res.reload} testid="sec-signal-error" />
        )}
      </div>
    );
  }
  if (!res.data) {
    return (
      <div className="page sec-page" data-testid="security-signal-page">
        <SecurityTabs />
        <CardLoading />
      </div>
    );
  }
  return <SignalView data={res.data} reload={res.reload} reloading={res.loading} />;
}

const STATUS_KEY: Record<SignalStatus, MessageKey> = {
  open: 'sec.status.open',
  under_review: 'sec.status.under_review',
  archived: 'sec.status.archived',
};

function SignalView({ data, reload, reloading }: { data: SignalDetail; reload: () => void; reloading: boolean }) {
  const { t, lang } = useI18n();
  const { range } = useTimeRange();
  const s = data.signal;
  // A WAF signal is about a client address, not an identity.
  const waf = s.source === 'waf';
  const [who, setWho] = useWho();
  const [triage, setTriage] = useState({ status: s.status, by: s.status_by, at: s.status_at, comments: s.comments ?? [] });
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const candidates = useMemo(() => fieldCandidates(s, data.events), [s, data.events]);
  const now = Date.now();

  const send = async (status: string) => {
    setBusy(true);
    setFailure(null);
    try {
      const r = await api.setSignalStatus(s.signal_id, { status, by: who.trim() || undefined, comment: comment.trim() || undefined });
      setTriage({ status: r.status || status, by: r.by, at: r.updated_at, comments: r.comments ?? [] });
      setComment('');
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page sec-page signal-page" data-testid="security-signal-page">
      <SecurityTabs />
      <div className="sig-top">
        <section className="card sig-header">
          <Link to={withTime('/security', range)} className="small" data-testid="sec-signal-back">← {t('sec.signal.back')}</Link>
          <div className="sig-header-title">
            <SeverityBadge severity={s.severity} testid="sec-signal-severity" />
            <h2 className="issue-page-title" data-testid="sec-signal-title">{s.title}</h2>
            <SignalStatusBadge status={triage.status} testid="sec-signal-status" />
            {reloading ? <Spinner small /> : null}
          </div>
          {s.detail ? (
            <div className="sig-detail-box" data-testid="sec-signal-detail">
              <span className="muted small">{t('sec.signal.detail')}</span>
              <div>{s.detail}</div>
            </div>
          ) : null}
          <dl className="trace-stats sig-facts">
            <div>
              <dt>{t('sec.rule')}</dt>
              <dd>
                <Link to={ruleUrl(s.rule_id, range)} className="mono small" data-testid="sec-signal-rule">{s.rule_id}</Link>
              </dd>
            </div>
            <div>
              <dt>{t(waf ? 'sec.client' : 'sec.col.entity')}</dt>
              <dd className="wrap-anywhere">
                <Link to={entityUrl(s, range)} title={s.entity} data-testid="sec-signal-entity">{shortActor(s.entity)}</Link>
                {shortActor(s.entity) !== s.entity ? <div className="muted small mono">{s.entity}</div> : null}
              </dd>
            </div>
            <div>
              <dt>{t('sec.source')}</dt>
              <dd>{s.source}</dd>
            </div>
            <div>
              <dt>{t('sec.col.place')}</dt>
              <dd>{s.place ?? '–'}</dd>
            </div>
            <div>
              <dt>{t('sec.col.count')}</dt>
              <dd data-testid="sec-signal-count">
                {formatFull(s.count)}
                {s.suppressed ? <span className="muted small"> · {t('sec.suppressedN', { n: formatFull(s.suppressed) })}</span> : null}
              </dd>
            </div>
            <div>
              <dt>{t('sec.col.firstSeen')}</dt>
              <dd className="small" title={formatAgo(now - s.first_seen_ms, lang)}>{formatTimestamp(s.first_seen_ms).slice(0, 19)}</dd>
            </div>
            <div>
              <dt>{t('sec.col.lastSeen')}</dt>
              <dd className="small" title={formatAgo(now - s.last_seen_ms, lang)}>{formatTimestamp(s.last_seen_ms).slice(0, 19)}</dd>
            </div>
            <div>
              <dt>{t('sec.signal.id')}</dt>
              <dd className="mono small fingerprint">
                {s.signal_id}
                <CopyButton text={s.signal_id} />
              </dd>
            </div>
          </dl>
          <div className="sig-links">
            <Link className="btn btn-small" to={signalsUrl({ rule_id: s.rule_id, status: 'all' }, range)}>{t('sec.signal.sameRule')}</Link>
            <Link className="btn btn-small" to={signalsUrl({ entity: s.entity, status: 'all' }, range)}>{t(waf ? 'sec.signal.sameClient' : 'sec.signal.sameEntity')}</Link>
            <Link className="btn btn-small" to={entityUrl(s, range)} data-testid="sec-signal-investigate">{t(waf ? 'sec.signal.requests' : 'sec.signal.investigate')}</Link>
          </div>
        </section>

        <section className="card sig-triage" data-testid="sec-triage">
          <header className="card-head">
            <h2>{t('sec.triage')}</h2>
            {busy ? <Spinner small /> : null}
          </header>
          <div className="sig-triage-body">
            <div className="segmented sig-status-buttons" role="group" aria-label={t('sec.col.status')}>
              {SIGNAL_STATUSES.map((st) => (
                <button
                  key={st}
                  type="button"
                  className={triage.status === st ? 'active' : ''}
                  aria-pressed={triage.status === st}
                  disabled={busy}
                  onClick={() => void send(st)}
                  data-testid={`sec-set-${st}`}
                >
                  {t(STATUS_KEY[st])}
                </button>
              ))}
            </div>
            {triage.by || triage.at ? (
              <p className="muted small" data-testid="sec-triage-by">
                {t('sec.triageBy', { who: triage.by ?? t('sec.anonymous'), at: formatInstant(triage.at) })}
              </p>
            ) : null}
            <label className="tf-field">
              {t('sec.by')}
              <input value={who} onChange={(e) => setWho(e.target.value)} placeholder={t('sec.byPlaceholder')} data-testid="sec-triage-who" />
            </label>
            <label className="tf-field">
              {t('sec.comment')}
              <textarea value={comment} onChange={(e) => setComment(e.target.value)} rows={3} placeholder={t('sec.commentPlaceholder')} data-testid="sec-triage-comment" />
            </label>
            <div>
              <button type="button" className="btn" disabled={busy || !comment.trim()} onClick={() => void send(triage.status)} data-testid="sec-add-comment">
                {t('sec.addComment')}
              </button>
              <span className="muted small sig-comment-hint">{t('sec.commentHint')}</span>
            </div>
            {failure ? (
              <div className="form-error" role="alert" data-testid="sec-triage-error">
                {t('sec.triageFailed')}: {failure}
              </div>
            ) : null}
            <Comments comments={triage.comments} />
          </div>
        </section>
      </div>

      <section className="card">
        <header className="card-head">
          <h2>{t(waf ? 'sec.signal.requestsTitle' : 'sec.signal.events')}</h2>
          <span className="muted small">{t('sec.signal.eventsHint', { n: formatFull(data.events.length) })}</span>
        </header>
        {data.events.length ? (
          <EventsTable events={data.events} testid="sec-signal-events" />
        ) : (
          <p className="muted small card-note">{t('sec.signal.noEvents')}</p>
        )}
      </section>

      <section className="card" data-testid="sec-signal-exceptions">
        <header className="card-head">
          <h2>{t('sec.exc.title')}</h2>
          <span className="muted small">{t('sec.exc.signalHint')}</span>
          <span className="spacer" />
          {!adding ? (
            <button type="button" className="btn btn-primary btn-small" onClick={() => setAdding(true)} data-testid="sec-add-exception">
              {t('sec.exc.addButton')}
            </button>
          ) : null}
        </header>
        {adding ? (
          <ExceptionForm
            initial={draftForSignal(s)}
            rules={[{ id: s.rule_id, label: s.title }]}
            candidates={candidates}
            who={who}
            onWho={setWho}
            onCreated={() => {
              setAdding(false);
              reload();
            }}
            onCancel={() => setAdding(false)}
          />
        ) : null}
        {data.exceptions.length ? (
          <ExceptionsTable exceptions={data.exceptions} ruleTitle={(id) => (id === s.rule_id ? s.title : undefined)} onDeleted={reload} testid="sec-signal-exc" />
        ) : !adding ? (
          <p className="muted small card-note">{t('sec.exc.noneForSignal')}</p>
        ) : null}
      </section>
    </div>
  );
}

function Comments({ comments }: { comments: SignalComment[] }) {
  const t = useI18n().t;
  if (!comments.length) return <p className="muted small">{t('sec.noComments')}</p>;
  return (
    <ol className="sig-comments" data-testid="sec-comments">
      {[...comments].reverse().map((c, i) => (
        <li key={`${c.at}-${i}`} data-testid="sec-comment">
          <div className="sig-comment-meta small">
            <strong>{c.by}</strong> <span className="muted">{formatInstant(c.at)}</span>
          </div>
          <div className="sig-comment-text">{c.text}</div>
        </li>
      ))}
    </ol>
  );
}
