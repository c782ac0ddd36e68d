// Tuning exceptions as a table, each deletable.
import { useState } from 'react';
import { api, errorMessage } from '../api/client';
import { useT } from '../i18n';
import { Link } from '../router';
import { useTimeRange } from '../time/context';
import { ANY_RULE, isExpired, untilDay, type ExceptionField, type SignalException } from './exceptions';
import { FIELD_LABEL } from './ExceptionForm';
import { identityUrl, ruleUrl } from './signals';
import { shortActor } from './identity';

export function ExceptionsTable({
  exceptions,
  ruleTitle,
  onDeleted,
  testid = 'exceptions',
}: {
  exceptions: readonly SignalException[];
  ruleTitle?: (id: string) => string | undefined;
  onDeleted: (id: string) => void;
  testid?: string;
}) {
  const t = useT();
  const { range } = useTimeRange();
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const now = Date.now();

  const remove = async (e: SignalException) => {
    if (!window.confirm(t('sec.exc.confirmDelete', { reason: e.reason }))) return;
    setBusy(e.id);
    setFailure(null);
    try {
      await api.deleteException(e.id);
      onDeleted(e.id);
    } catch (err) {
      setFailure(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      {failure ? (
        <div className="form-error card-note" role="alert" data-testid="exc-delete-error">
          {t('sec.exc.deleteFailed')}: {failure}
        </div>
      ) : null}
      <div className="table-scroll">
        <table className="table exc-table" data-testid={testid}>
          <thead>
            <tr>
              <th>{t('sec.exc.rule')}</th>
              <th>{t('sec.exc.entity')}</th>
              <th>{t('sec.exc.match')}</th>
              <th>{t('sec.exc.until')}</th>
              <th>{t('sec.exc.reason')}</th>
              <th>{t('sec.exc.addedBy')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {exceptions.map((e) => {
              const ended = isExpired(e, now);
              return (
                <tr key={e.id} className={ended ? 'exc-ended' : undefined} data-testid={`${testid}-row`}>
                  <td className="wrap-anywhere">
                    {e.rule_id === ANY_RULE ? (
                      <em>{t('sec.exc.anyRule')}</em>
                    ) : (
                      <Link to={ruleUrl(e.rule_id, range)} title={e.rule_id}>{ruleTitle?.(e.rule_id) ?? e.rule_id}</Link>
                    )}
                  </td>
                  <td className="wrap-anywhere">
                    {e.entity ? <Link to={identityUrl(e.entity, range)} title={e.entity}>{shortActor(e.entity)}</Link> : <span className="muted">{t('sec.exc.anyEntity')}</span>}
                  </td>
                  <td className="wrap-anywhere">
                    {e.field ? (
                      <>
                        <span className="muted">{FIELD_LABEL[e.field as ExceptionField] ? t(FIELD_LABEL[e.field as ExceptionField]) : e.field} =</span> <span className="mono small">{e.value}</span>
                      </>
                    ) : (
                      <span className="muted">–</span>
                    )}
                  </td>
                  <td className="nowrap">
                    {e.until ? (
                      <span title={e.until}>
                        {untilDay(e.until)}
                        {ended ? <span className="chip exc-ended-chip">{t('sec.exc.ended')}</span> : null}
                      </span>
                    ) : (
                      <span className="muted">{t('sec.exc.noEnd')}</span>
                    )}
                  </td>
                  <td className="exc-reason-cell">{e.reason}</td>
                  <td className="small">
                    {e.by ?? <span className="muted">–</span>}
                    {e.created_at ? <div className="muted small" title={e.created_at}>{e.created_at.slice(0, 10)}</div> : null}
                  </td>
                  <td className="right">
                    <button type="button" className="btn btn-small btn-danger" onClick={() => void remove(e)} disabled={busy === e.id} data-testid={`${testid}-delete`}>
                      {t('common.delete')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
