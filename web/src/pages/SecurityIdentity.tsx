import { lazy, Suspense, useCallback, useMemo } from 'react';
import { api, ApiError } from '../api/client';
import { useAsync } from '../api/useAsync';
import { useI18n, type MessageKey } from '../i18n';
import { Link, useNavigate, useSearchParams } from '../router';
import { useTimeRange, withTime } from '../time/context';
import { formatTime, formatTimestamp } from '../time/range';
import { usePageTitle } from '../components/PageTitle';
import { CopyButton } from '../components/CopyButton';
import { CardLoading, EmptyState, LoadError, Spinner, Warning } from '../components/Status';
import { TimeChart } from '../charts/TimeChart';
import { formatFull } from '../charts/format';
import { SecurityTabs } from '../security/SecurityTabs';
import { ActorBadge, ActorIcon, SeverityBadge, SignalStatusBadge } from '../security/Badges';
import { EventsTable } from '../security/EventsTable';
import { chainLayout, placePoints, shortActor, timelineSeries, type Identity } from '../security/identity';
import { identityUrl, signalsUrl, signalUrl } from '../security/signals';

const ChainChart = lazy(() => import('../security/ChainChart'));
const PlacesMap = lazy(() => import('../security/PlacesMap'));

export default function SecurityIdentityPage() {
  const { t } = useI18n();
  const { range, resolved, setRange } = useTimeRange();
  const [params] = useSearchParams();
  const actor = params.get('actor') ?? '';
  const res = useAsync<Identity>((s) => (actor ? api.identity(actor, { from_ms: resolved.fromMs, to_ms: resolved.toMs }, s) : null), [actor, resolved.fromMs, resolved.toMs]);
  usePageTitle(t('sec.id.title'), actor ? shortActor(actor) : t('sec.id.title'));

  if (!actor) {
    return (
      <div className="page sec-page" data-testid="security-identity-page">
        <SecurityTabs />
        <EmptyState title={t('sec.id.noActor')}>
          <Link className="btn" to={withTime('/security/identities', range)}>{t('sec.id.back')}</Link>
        </EmptyState>
      </div>
    );
  }
  if (res.error) {
    const notFound = res.error instanceof ApiError && res.error.status === 404;
    return (
      <div className="page sec-page" data-testid="security-identity-page">
        <SecurityTabs />
        {notFound ? (
          <EmptyState title={t('sec.id.notFound')} testid="sec-id-not-found">
            <p className="mono">{actor}</p>
            <p>{t('sec.id.notFoundHint')}</p>
            <div className="empty-actions">
              <button type="button" className="btn" onClick={() => setRange({ from: 'now-7d', to: 'now' })}>{t('time.last7d')}</button>
              <button type="button" className="btn" onClick={() => setRange({ from: 'now-30d', to: 'now' })}>{t('sec.last30d')}</button>
              <Link className="btn" to={withTime('/security/identities', range)}>{t('sec.id.back')}</Link>
            </div>
          </EmptyState>
        ) : (
          <LoadError title={t('sec.id.loadFailed')} error={res.error} onRetry={res.reload} testid="sec-id-error" />
        )}
      </div>
    );
  }
  // The previous identity's data stays while another one loads: not shown.
  if (!res.data || res.data.actor !== actor) {
    return (
      <div className="page sec-page" data-testid="security-identity-page">
        <SecurityTabs />
        <CardLoading />
      </div>
    );
  }
  return <IdentityView data={res.data} loading={res.loading} />;
}

function IdentityView({ data: d, loading }: { data: Identity; loading: boolean }) {
  const { t } = useI18n();
  const { range } = useTimeRange();
  const navigate = useNavigate();
  const timeline = useMemo(() => timelineSeries(d.timeline, { success: t('sec.id.success'), failure: t('sec.id.failure') }), [d.timeline, t]);
  const layout = useMemo(() => chainLayout(d.chain, d.actor), [d.chain, d.actor]);
  const points = useMemo(() => placePoints(d.places), [d.places]);
  const chainLabels = useMemo(
    () => ({
      how: (how: string) => (how === 'assumed_role' || how === 'signed_in_as' ? t(`sec.id.how.${how}` as MessageKey) : how),
      kind: (kind: string) => t(`sec.actor.${kind}` as MessageKey),
      times: (n: number) => t('sec.id.times', { n: formatFull(n) }),
    }),
    [t],
  );
  const mapLabels = useMemo(() => ({ events: t('sec.ids.events'), failures: t('sec.ids.failures') }), [t]);
  const open = useCallback((id: string) => navigate(identityUrl(id, range)), [navigate, range]);
  const name = d.names[0] ?? shortActor(d.actor);
  const rate = d.events ? d.failures / d.events : 0;
  const nodeName = (id: string) => layout.nodes.find((n) => n.id === id)?.label ?? shortActor(id);
  const nodeKind = (id: string) => layout.nodes.find((n) => n.id === id)?.kind ?? 'unknown';

  return (
    <div className="page sec-page identity-page" data-testid="security-identity-page">
      <SecurityTabs />
      <section className="card sig-header">
        <Link to={withTime('/security/identities', range)} className="small" data-testid="sec-id-back">← {t('sec.id.back')}</Link>
        <div className="sig-header-title">
          <ActorIcon type={d.actor_type} size={22} />
          <h2 className="issue-page-title" data-testid="sec-id-name">{name}</h2>
          <ActorBadge type={d.actor_type} testid="sec-id-type" />
          {loading ? <Spinner small /> : null}
        </div>
        <div className="mono small id-actor">
          {d.actor} <CopyButton text={d.actor} />
        </div>
        <dl className="trace-stats sig-facts">
          <div>
            <dt>{t('sec.ids.events')}</dt>
            <dd data-testid="sec-id-events">{formatFull(d.events)}</dd>
          </div>
          <div>
            <dt>{t('sec.ids.failures')}</dt>
            <dd className={rate >= 0.1 ? 'bad' : undefined}>
              {formatFull(d.failures)} <span className="muted small">({(rate * 100).toFixed(1)}%)</span>
            </dd>
          </div>
          <div>
            <dt>{t('sec.id.signals')}</dt>
            <dd>{formatFull(d.signals.length)}</dd>
          </div>
          <div>
            <dt>{t('sec.id.names')}</dt>
            <dd>
              <span className="chips">
                {d.names.length ? d.names.map((n) => <span key={n} className="chip">{n}</span>) : <span className="muted">–</span>}
              </span>
            </dd>
          </div>
          <div>
            <dt>{t('sec.id.accounts')}</dt>
            <dd>
              <span className="chips">
                {d.accounts.length ? d.accounts.map((a) => <span key={a} className="chip mono">{a}</span>) : <span className="muted">–</span>}
              </span>
            </dd>
          </div>
        </dl>
      </section>

      <div className="id-grid">
        <section className="card">
          <header className="card-head">
            <h2>{t('sec.id.activity')}</h2>
            <span className="muted small">{t('sec.id.activityHint')}</span>
          </header>
          <div className="chart-pad">
            {timeline.x.length ? (
              <TimeChart x={timeline.x} series={timeline.series} kind="bars" stacked height={190} stepMs={d.timeline.step_ms} testid="sec-id-timeline" />
            ) : (
              <p className="muted small">{t('sec.id.noActivity')}</p>
            )}
          </div>
        </section>

        <section className="card" data-testid="sec-id-signals">
          <header className="card-head">
            <h2>{t('sec.id.signals')}</h2>
            <span className="spacer" />
            <Link className="small" to={signalsUrl({ entity: d.actor, status: 'all' }, range)}>{t('sec.id.allSignals')}</Link>
          </header>
          {d.signals.length ? (
            <ul className="svc-issues id-signals">
              {d.signals.slice(0, 12).map((s) => (
                <li key={s.signal_id}>
                  <Link to={signalUrl(s.signal_id, range)} className="svc-issue" data-testid="sec-id-signal">
                    <span className="svc-issue-title">{s.title}</span>
                    <span className="svc-issue-meta small">
                      <SeverityBadge severity={s.severity} />
                      <SignalStatusBadge status={s.status} />
                      <span className="muted">{formatTime(s.last_seen_ms, false)}</span>
                      <span className="muted">· {s.count === 1 ? t('sec.eventsOne') : t('sec.eventsN', { n: formatFull(s.count) })}</span>
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted small card-note">{t('sec.id.noSignals')}</p>
          )}
        </section>
      </div>

      <section className="card" data-testid="sec-id-chain">
        <header className="card-head">
          <h2>{t('sec.id.chain')}</h2>
          <span className="muted small">{t('sec.id.chainHint')}</span>
        </header>
        {d.chain.truncated ? (
          <div className="card-note">
            <Warning>{t('sec.id.chainTruncated')}</Warning>
          </div>
        ) : null}
        {layout.links.length === 0 ? (
          <p className="muted small card-note" data-testid="sec-id-no-chain">{t('sec.id.noChain')}</p>
        ) : (
          <>
            <div className="chain-legend small">
              {(['person', 'iam_user', 'role', 'root', 'aws_service'] as const)
                .filter((k) => layout.nodes.some((n) => n.kind === k))
                .map((k) => (
                  <span key={k} className="legend-item">
                    <ActorIcon type={k} /> {t(`sec.actor.${k}` as MessageKey)}
                  </span>
                ))}
              <span className="legend-item">
                <span className="chain-line" /> {t('sec.id.how.assumed_role')}
              </span>
              <span className="legend-item">
                <span className="chain-line dashed" /> {t('sec.id.how.signed_in_as')}
              </span>
              <span className="muted">{t('sec.id.chainClick')}</span>
            </div>
            <Suspense fallback={<CardLoading style={{ height: 240 }} />}>
              <ChainChart layout={layout} height={Math.max(200, Math.min(560, layout.rows * 80 + 90))} labels={chainLabels} onNodeClick={open} />
            </Suspense>
            <div className="table-scroll">
              <table className="table compact" data-testid="sec-id-chain-table">
                <thead>
                  <tr>
                    <th>{t('sec.id.from')}</th>
                    <th>{t('sec.id.how')}</th>
                    <th>{t('sec.id.to')}</th>
                    <th className="right">{t('sec.id.count')}</th>
                    <th>{t('sec.col.firstSeen')}</th>
                    <th>{t('sec.col.lastSeen')}</th>
                  </tr>
                </thead>
                <tbody>
                  {layout.links.map((l, i) => (
                    <tr key={`${l.source}-${l.target}-${l.how}-${i}`}>
                      {[l.source, null, l.target].map((id, k) =>
                        id === null ? (
                          <td key={k} className="nowrap muted">{chainLabels.how(l.how)} →</td>
                        ) : (
                          <td key={k} className="wrap-anywhere">
                            <span className="edge-end">
                              <ActorIcon type={nodeKind(id)} />
                              {id === d.actor ? <strong>{nodeName(id)}</strong> : <Link to={identityUrl(id, range)} title={id}>{nodeName(id)}</Link>}
                            </span>
                          </td>
                        ),
                      )}
                      <td className="right">{formatFull(l.count)}</td>
                      <td className="nowrap small" title={formatTimestamp(l.first_seen_ms)}>{formatTime(l.first_seen_ms, false)}</td>
                      <td className="nowrap small" title={formatTimestamp(l.last_seen_ms)}>{formatTime(l.last_seen_ms, false)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>

      <div className="id-grid">
        <section className="card" data-testid="sec-id-places">
          <header className="card-head">
            <h2>{t('sec.id.places')}</h2>
            <span className="muted small">{t('sec.id.placesHint')}</span>
          </header>
          {d.places.length === 0 ? (
            <p className="muted small card-note">{t('sec.id.noPlaces')}</p>
          ) : (
            <>
              {points.length ? (
                <div className="chart-pad">
                  <Suspense fallback={<CardLoading style={{ height: 220 }} />}>
                    <PlacesMap points={points} height={220} labels={mapLabels} />
                  </Suspense>
                </div>
              ) : null}
              <div className="table-scroll">
                <table className="table compact" data-testid="sec-id-places-table">
                  <thead>
                    <tr>
                      <th>{t('sec.event.ip')}</th>
                      <th>{t('sec.id.city')}</th>
                      <th>{t('sec.id.country')}</th>
                      <th>{t('sec.id.asOrg')}</th>
                      <th className="right">{t('sec.ids.events')}</th>
                      <th className="right">{t('sec.ids.failures')}</th>
                      <th>{t('sec.col.firstSeen')}</th>
                      <th>{t('sec.col.lastSeen')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.places.map((p) => (
                      <tr key={p.source_ip}>
                        <td className="mono small nowrap">{p.source_ip}</td>
                        <td>{p.city ?? <span className="muted">–</span>}</td>
                        <td>{p.country ?? <span className="muted">–</span>}</td>
                        <td className="small">{p.as_org ?? <span className="muted">–</span>}</td>
                        <td className="right">{formatFull(p.events)}</td>
                        <td className={`right${p.failures ? ' bad' : ''}`}>{formatFull(p.failures)}</td>
                        <td className="nowrap small" title={formatTimestamp(p.first_seen_ms)}>{formatTime(p.first_seen_ms, false)}</td>
                        <td className="nowrap small" title={formatTimestamp(p.last_seen_ms)}>{formatTime(p.last_seen_ms, false)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </section>

        <section className="card" data-testid="sec-id-keys">
          <header className="card-head">
            <h2>{t('sec.id.keys')}</h2>
          </header>
          {d.access_keys.length === 0 ? (
            <p className="muted small card-note">{t('sec.id.noKeys')}</p>
          ) : (
            <div className="table-scroll">
              <table className="table compact">
                <thead>
                  <tr>
                    <th>{t('sec.id.key')}</th>
                    <th className="right">{t('sec.ids.events')}</th>
                    <th>{t('sec.col.firstSeen')}</th>
                    <th>{t('sec.col.lastSeen')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.access_keys.map((k) => (
                    <tr key={k.access_key_id}>
                      <td className="mono small nowrap">
                        {k.access_key_id}
                        {k.access_key_id.startsWith('ASIA') ? <span className="chip key-chip" title={t('sec.id.tempKeyHint')}>{t('sec.id.tempKey')}</span> : null}
                      </td>
                      <td className="right">{formatFull(k.events)}</td>
                      <td className="nowrap small" title={formatTimestamp(k.first_seen_ms)}>{formatTime(k.first_seen_ms, false)}</td>
                      <td className="nowrap small" title={formatTimestamp(k.last_seen_ms)}>{formatTime(k.last_seen_ms, false)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>

      <section className="card">
        <header className="card-head">
          <h2>{t('sec.id.recent')}</h2>
          <span className="muted small">{t('sec.id.recentHint', { n: formatFull(d.recent.length) })}</span>
        </header>
        {d.recent.length ? <EventsTable events={d.recent} showActor={false} testid="sec-id-recent" /> : <p className="muted small card-note">{t('sec.id.noActivity')}</p>}
      </section>
    </div>
  );
}
