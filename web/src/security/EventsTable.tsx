// Audit events (CloudTrail, Okta) as a table; a row opens the event's facts
// and its JSON as delivered.
import { Fragment, useMemo, useState } from 'react';
import { useT } from '../i18n';
import { Link } from '../router';
import { useTimeRange } from '../time/context';
import { formatTime, formatTimestamp } from '../time/range';
import { JsonView } from '../components/JsonView';
import { OutcomeBadge } from './Badges';
import { shortActor } from './identity';
import { eventPlace, identityUrl, parseRaw, type AuditEvent } from './signals';

/**
 * `showActor: false` leaves the actor column out (an identity's own page);
 * it is left out too when no event has one (WAF's requests). `notes` are
 * shown under each event's name, by index.
 */
export function EventsTable({
  events,
  showActor: wantActor = true,
  notes,
  testid = 'audit-events',
}: {
  events: readonly AuditEvent[];
  showActor?: boolean;
  notes?: readonly (string | null)[];
  testid?: string;
}) {
  const t = useT();
  const { range } = useTimeRange();
  const [open, setOpen] = useState<Set<number>>(new Set());
  const toggle = (i: number) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(i)) next.delete(i);
      else next.add(i);
      return next;
    });
  const showActor = wantActor && events.some((e) => e.actor);
  const cols = showActor ? 7 : 6;
  return (
    <div className="table-scroll">
      <table className="table audit-table" data-testid={testid}>
        <thead>
          <tr>
            <th aria-label={t('sec.event.expand')} />
            <th>{t('sec.event.time')}</th>
            <th>{t('sec.event.name')}</th>
            {showActor ? <th>{t('sec.event.actor')}</th> : null}
            <th>{t('sec.event.ip')}</th>
            <th>{t('sec.event.place')}</th>
            <th>{t('sec.event.outcome')}</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e, i) => {
            const isOpen = open.has(i);
            return (
              <Fragment key={`${e.event_id ?? ''}-${i}`}>
                <tr
                  className={`clickable-row${isOpen ? ' open' : ''}${e.outcome === 'failure' ? ' row-error' : ''}`}
                  onClick={(ev) => {
                    if ((ev.target as HTMLElement).closest('a, button')) return;
                    toggle(i);
                  }}
                  data-testid={`${testid}-row`}
                >
                  <td className="caret-cell">
                    <button type="button" className="icon-btn" aria-expanded={isOpen} aria-label={t('sec.event.expand')} onClick={() => toggle(i)} data-testid={`${testid}-toggle`}>
                      {isOpen ? '▾' : '▸'}
                    </button>
                  </td>
                  <td className="mono small nowrap" title={formatTimestamp(e.time_ms)}>{formatTime(e.time_ms)}</td>
                  <td>
                    <strong>{e.event_name ?? '–'}</strong>
                    {e.request ? <div className="mono small wrap-anywhere">{e.request}</div> : null}
                    {e.event_source ? <div className="muted small">{e.event_source}</div> : null}
                    {notes?.[i] ? <div className="small event-note">{notes[i]}</div> : null}
                  </td>
                  {showActor ? (
                    <td className="wrap-anywhere">
                      {e.actor ? (
                        <Link to={identityUrl(e.actor, range)} title={e.actor}>{e.actor_name && e.actor_name !== e.actor ? e.actor_name : shortActor(e.actor)}</Link>
                      ) : (
                        '–'
                      )}
                    </td>
                  ) : null}
                  <td className="mono small nowrap">{e.source_ip ?? '–'}</td>
                  <td className="nowrap">{eventPlace(e) ?? <span className="muted">–</span>}</td>
                  <td className="nowrap">
                    <OutcomeBadge outcome={e.outcome} error={e.error_code} />
                  </td>
                </tr>
                {isOpen ? (
                  <tr className="audit-detail-row">
                    <td colSpan={cols}>
                      <EventDetail event={e} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function EventDetail({ event: e }: { event: AuditEvent }) {
  const t = useT();
  const raw = useMemo(() => parseRaw(e.raw), [e.raw]);
  const facts: [string, string | null][] = [
    [t('sec.event.id'), e.event_id],
    [t('sec.event.source'), e.source],
    [t('sec.event.account'), e.account_id],
    [t('sec.event.region'), e.region],
    [t('sec.event.actorFull'), e.actor],
    [t('sec.event.role'), e.role_arn],
    [t('sec.event.session'), e.session_name],
    [t('sec.event.accessKey'), e.access_key_id],
    [t('sec.event.request'), e.request],
    [t('sec.event.userAgent'), e.user_agent],
  ];
  return (
    <div className="audit-detail" data-testid="audit-event-detail">
      <dl className="span-facts audit-facts">
        {facts
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <Fragment key={k}>
              <dt>{k}</dt>
              <dd className="mono small">{v}</dd>
            </Fragment>
          ))}
      </dl>
      {raw !== null ? <JsonView value={raw} testid="audit-event-json" /> : <p className="muted small">{t('sec.event.noRaw')}</p>}
    </div>
  );
}
