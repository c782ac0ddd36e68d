// "Add exception": which detections to suppress (a rule or every rule, an
// identity, a field's value), until when and why.
import { useId, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { useT, type MessageKey } from '../i18n';
import { Spinner } from '../components/Status';
import {
  ANY_RULE,
  EXCEPTION_FIELDS,
  exceptionBody,
  utcDay,
  validateDraft,
  type DraftProblem,
  type ExceptionDraft,
  type ExceptionField,
  type SignalException,
} from './exceptions';

const PROBLEM: Record<DraftProblem, MessageKey> = {
  rule: 'sec.exc.problem.rule',
  reason: 'sec.exc.problem.reason',
  fieldValue: 'sec.exc.problem.fieldValue',
  anyRuleScope: 'sec.exc.problem.anyRuleScope',
  until: 'sec.exc.problem.until',
  untilPast: 'sec.exc.problem.untilPast',
  tooLong: 'sec.exc.problem.tooLong',
};

export const FIELD_LABEL: Record<ExceptionField, MessageKey> = {
  source_ip: 'sec.exc.field.source_ip',
  account_id: 'sec.exc.field.account_id',
  event_name: 'sec.exc.field.event_name',
  place: 'sec.exc.field.place',
};

export function ExceptionForm({
  initial,
  rules,
  candidates,
  who,
  onWho,
  onCreated,
  onCancel,
  testid = 'exception-form',
}: {
  initial: ExceptionDraft;
  /** The rules to choose from (value, label); "every rule" is added. */
  rules: { id: string; label: string }[];
  candidates?: Partial<Record<ExceptionField, string[]>>;
  who: string;
  onWho: (who: string) => void;
  onCreated: (e: SignalException) => void;
  onCancel: () => void;
  testid?: string;
}) {
  const t = useT();
  const id = useId();
  const [draft, setDraft] = useState<ExceptionDraft>(initial);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const problems = validateDraft(draft, utcDay(Date.now()));
  const set = (patch: Partial<ExceptionDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const values = draft.field ? (candidates?.[draft.field] ?? []) : [];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (problems.length) return;
    setBusy(true);
    setFailure(null);
    try {
      const created = await api.createException(exceptionBody(draft, who));
      onCreated(created);
    } catch (err) {
      setFailure(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="exc-form" onSubmit={submit} data-testid={testid} noValidate>
      <div className="exc-grid">
        <label className="tf-field">
          {t('sec.exc.rule')}
          <select value={draft.rule_id} onChange={(e) => set({ rule_id: e.target.value })} data-testid="exc-rule">
            {rules.map((r) => (
              <option key={r.id} value={r.id}>{r.label}</option>
            ))}
            <option value={ANY_RULE}>{t('sec.exc.anyRule')}</option>
          </select>
        </label>
        <label className="tf-field exc-wide">
          {t('sec.exc.entity')}
          <input value={draft.entity} onChange={(e) => set({ entity: e.target.value })} placeholder={t('sec.exc.anyEntity')} data-testid="exc-entity" />
        </label>
        <label className="tf-field">
          {t('sec.exc.field')}
          <select value={draft.field} onChange={(e) => set({ field: e.target.value as ExceptionField | '', value: '' })} data-testid="exc-field">
            <option value="">{t('sec.exc.noField')}</option>
            {EXCEPTION_FIELDS.map((f) => (
              <option key={f} value={f}>{t(FIELD_LABEL[f])}</option>
            ))}
          </select>
        </label>
        <label className="tf-field exc-wide">
          {t('sec.exc.value')}
          <input
            value={draft.value}
            onChange={(e) => set({ value: e.target.value })}
            list={values.length ? `${id}-values` : undefined}
            disabled={!draft.field}
            placeholder={draft.field ? (values[0] ?? '') : t('sec.exc.pickField')}
            data-testid="exc-value"
          />
          {values.length ? (
            <datalist id={`${id}-values`}>
              {values.map((v) => (
                <option key={v} value={v} />
              ))}
            </datalist>
          ) : null}
        </label>
        <label className="tf-field">
          {t('sec.exc.until')}
          <input type="date" value={draft.until} onChange={(e) => set({ until: e.target.value })} data-testid="exc-until" />
        </label>
        <label className="tf-field">
          {t('sec.by')}
          <input value={who} onChange={(e) => onWho(e.target.value)} placeholder={t('sec.byPlaceholder')} data-testid="exc-by" />
        </label>
        <label className="tf-field exc-reason">
          {t('sec.exc.reason')}
          <textarea
            value={draft.reason}
            onChange={(e) => set({ reason: e.target.value })}
            rows={2}
            placeholder={t('sec.exc.reasonPlaceholder')}
            aria-invalid={tried && problems.includes('reason')}
            data-testid="exc-reason"
          />
        </label>
      </div>
      <p className="muted small exc-hint">{t('sec.exc.hint')}</p>
      {tried && problems.length ? (
        <ul className="form-errors" data-testid="exc-problems">
          {problems.map((p) => (
            <li key={p}>{t(PROBLEM[p])}</li>
          ))}
        </ul>
      ) : null}
      {failure ? (
        <div className="form-error" role="alert" data-testid="exc-error">
          {t('sec.exc.failed')}: {failure}
        </div>
      ) : null}
      <div className="exc-buttons">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="exc-submit">
          {t('sec.exc.add')}
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        {busy ? <Spinner small /> : null}
      </div>
    </form>
  );
}
