import { useState } from 'react';
import { api, errorMessage } from '../api/client';
import { useAsync } from '../api/useAsync';
import type { SavedView } from '../api/types';
import { useT } from '../i18n';
import { Popover } from '../components/Popover';
import { Spinner } from '../components/Status';

interface Props {
  dataset: string;
  query: string;
  columns: string[];
  onLoad: (v: SavedView) => void;
}

export function SavedViews({ dataset, query, columns, onLoad }: Props) {
  const t = useT();
  const views = useAsync((s) => api.views(s), []);
  const [name, setName] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');

  const save = async (close: () => void) => {
    if (!name.trim()) return setError(t('views.nameRequired'));
    setSaving(true);
    setError('');
    try {
      await api.createView({ name: name.trim(), dataset, query, columns });
      setSaved(name.trim());
      setName('');
      views.reload();
      close();
      window.setTimeout(() => setSaved(''), 2500);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  const remove = async (v: SavedView) => {
    if (!window.confirm(t('views.confirmDelete', { name: v.name }))) return;
    try {
      await api.deleteView(v.id);
      views.reload();
    } catch (e) {
      window.alert(errorMessage(e));
    }
  };

  return (
    <div className="saved-views">
      <Popover label={t('views.save')} testid="save-view" align="right">
        {(close) => (
          <form
            className="popover-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save(close);
            }}
          >
            <label>
              {t('views.name')}
              <input autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder={t('views.namePlaceholder')} data-testid="view-name" />
            </label>
            <div className="muted small">
              {dataset} · <code>{query || t('explore.allEvents')}</code>
            </div>
            {error ? <div className="form-error" role="alert">{error}</div> : null}
            <button type="submit" className="btn btn-primary" disabled={saving} data-testid="view-save-confirm">
              {saving ? t('common.saving') : t('common.save')}
            </button>
          </form>
        )}
      </Popover>
      <Popover label={`${t('views.list')}${views.data ? ` (${views.data.length})` : ''}`} testid="views-list" align="right">
        {(close) => (
          <div className="views-menu" data-testid="views-menu">
            {views.loading && !views.data ? <Spinner small label={t('common.loading')} /> : null}
            {views.error ? <div className="form-error">{t('views.loadError', { message: errorMessage(views.error) })}</div> : null}
            {views.data && views.data.length === 0 ? <div className="muted small">{t('views.empty')}</div> : null}
            <ul>
              {views.data?.map((v) => (
                <li key={v.id} className="view-item">
                  <button
                    type="button"
                    className="view-load"
                    data-testid="view-load"
                    onClick={() => {
                      onLoad(v);
                      close();
                    }}
                  >
                    <strong>{v.name}</strong>
                    <span className="muted small">
                      {v.dataset} · {v.query || t('explore.allEvents')}
                    </span>
                  </button>
                  <button type="button" className="btn btn-ghost btn-small" onClick={() => remove(v)} aria-label={t('common.delete')} title={t('common.delete')} data-testid="view-delete">
                    ✕
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
      </Popover>
      {saved ? <span className="toast-inline" role="status">{t('views.saved', { name: saved })}</span> : null}
    </div>
  );
}
