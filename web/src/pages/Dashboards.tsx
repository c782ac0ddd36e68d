import { useRef, useState } from 'react';
import { api, errorMessage, type StoredDashboardSummary } from '../api/client';
import { useAsync } from '../api/useAsync';
import { useI18n } from '../i18n';
import { Link, useNavigate } from '../router';
import { useTimeRange, withTime } from '../time/context';
import { usePageTitle } from '../components/PageTitle';
import { EmptyState, ErrorPanel, Spinner } from '../components/Status';
import { emptyDashboard, toStored, validateDashboard } from '../dashboards/schema';
import { downloadJson, slug } from '../dashboards/download';
import serviceOverview from '../../templates/service-overview.json';
import customerSupport from '../../templates/customer-support.json';

const TEMPLATES = [serviceOverview, customerSupport] as unknown[];

export function formatWhen(v: unknown, lang = 'en'): string {
  let ms: number | null = null;
  if (typeof v === 'number') ms = v > 1e17 ? v / 1e6 : v > 1e14 ? v / 1e3 : v > 1e11 ? v : v * 1000;
  else if (typeof v === 'string') {
    const p = Date.parse(v);
    ms = Number.isNaN(p) ? null : p;
  }
  if (ms === null) return '';
  return new Date(ms).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

export default function Dashboards() {
  const { t, lang } = useI18n();
  usePageTitle(t('dash.listTitle'));
  const navigate = useNavigate();
  const { range } = useTimeRange();
  const list = useAsync((s) => api.dashboards(s), []);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const fileRef = useRef<HTMLInputElement>(null);

  const open = (id: unknown, edit = false) => navigate(withTime(`/dashboards/${encodeURIComponent(String(id))}${edit ? '?edit=1' : ''}`, range));

  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError('');
    try {
      await fn();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const create = () =>
    act(async () => {
      const name = title.trim() || t('dash.untitled');
      const d = await api.createDashboard(emptyDashboard(name));
      open(d.id, true);
    });

  const fromTemplate = (tpl: unknown) =>
    act(async () => {
      const v = validateDashboard(tpl);
      if (!v.ok) throw new Error(v.errors.join('\n'));
      const d = await api.createDashboard(v.dashboard);
      open(d.id);
    });

  const duplicate = (s: StoredDashboardSummary) =>
    act(async () => {
      const full = await api.dashboard(s.id);
      await api.createDashboard({ ...full, id: undefined, created_at: undefined, updated_at: undefined, title: t('dash.copyOf', { title: s.title }) });
      list.reload();
    });

  const remove = (s: StoredDashboardSummary) => {
    if (!window.confirm(t('dash.confirmDelete', { title: s.title }))) return;
    void act(async () => {
      await api.deleteDashboard(s.id);
      list.reload();
    });
  };

  const exportOne = (s: StoredDashboardSummary) =>
    act(async () => {
      const full = await api.dashboard(s.id);
      const v = validateDashboard(full);
      downloadJson(`${slug(s.title)}.json`, v.ok ? toStored(v.dashboard) : full);
    });

  const importFile = (file: File) =>
    act(async () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await file.text());
      } catch (e) {
        throw new Error(t('dash.importNotJson', { message: errorMessage(e) }));
      }
      const v = validateDashboard(parsed);
      if (!v.ok) throw new Error(t('dash.importInvalid') + '\n' + v.errors.join('\n'));
      const d = await api.createDashboard(toStored(v.dashboard));
      list.reload();
      open(d.id);
    });

  return (
    <div className="page dashboards-page" data-testid="dashboards-page">
      <section className="card create-card">
        <form
          className="create-form"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <label className="grow">
            <span className="sr-only">{t('dash.newTitle')}</span>
            <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder={t('dash.newTitlePlaceholder')} data-testid="new-dashboard-title" aria-label={t('dash.newTitle')} />
          </label>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="create-dashboard">
            + {t('dash.create')}
          </button>
          <button type="button" className="btn" onClick={() => fileRef.current?.click()} disabled={busy} data-testid="import-dashboard">
            {t('dash.import')}
          </button>
          <input
            ref={fileRef}
            type="file"
            accept="application/json,.json"
            hidden
            data-testid="import-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) void importFile(f);
            }}
          />
        </form>
        <div className="templates">
          <span className="muted small">{t('dash.templates')}</span>
          {TEMPLATES.map((tpl, i) => {
            const tt = tpl as { title: string; description?: string };
            return (
              <button key={i} type="button" className="btn btn-small" onClick={() => fromTemplate(tpl)} disabled={busy} title={tt.description} data-testid="from-template">
                {tt.title}
              </button>
            );
          })}
        </div>
        {busy ? <Spinner small label={t('common.working')} /> : null}
      </section>

      {error ? <ErrorPanel title={t('dash.actionFailed')} message={error} testid="dash-list-error" /> : null}

      {list.error ? (
        <ErrorPanel title={t('dash.listFailed')} message={errorMessage(list.error)}>
          <button type="button" className="btn" onClick={list.reload}>
            {t('common.retry')}
          </button>
        </ErrorPanel>
      ) : !list.data ? (
        <div className="card-loading">
          <Spinner label={t('common.loading')} />
        </div>
      ) : list.data.length === 0 ? (
        <EmptyState title={t('dash.none')} testid="dash-list-empty">
          <p>{t('dash.noneHint')}</p>
        </EmptyState>
      ) : (
        <table className="table dash-list" data-testid="dashboard-list">
          <thead>
            <tr>
              <th>{t('dash.titleLabel')}</th>
              <th>{t('dash.widgets')}</th>
              <th>{t('dash.updated')}</th>
              <th className="right">{t('dash.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {[...list.data]
              .sort((a, b) => String(a.title).localeCompare(String(b.title)))
              .map((d) => (
                <tr key={d.id} data-testid="dashboard-row" data-title={d.title}>
                  <td>
                    <Link to={withTime(`/dashboards/${encodeURIComponent(d.id)}`, range)} className="dash-link" data-testid="dashboard-link">
                      {d.title}
                    </Link>
                    {d.description ? <div className="muted small">{d.description}</div> : null}
                  </td>
                  <td>{Array.isArray(d.widgets) ? d.widgets.length : ''}</td>
                  <td className="muted small">{formatWhen(d.updated_at, lang)}</td>
                  <td className="right nowrap">
                    <button type="button" className="btn btn-small" onClick={() => duplicate(d)} disabled={busy} data-testid="row-duplicate">
                      {t('dash.duplicate')}
                    </button>
                    <button type="button" className="btn btn-small" onClick={() => exportOne(d)} disabled={busy} data-testid="row-export">
                      {t('dash.export')}
                    </button>
                    <button type="button" className="btn btn-small btn-danger" onClick={() => remove(d)} disabled={busy} data-testid="row-delete">
                      {t('common.delete')}
                    </button>
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
