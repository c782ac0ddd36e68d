import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, errorMessage } from '../api/client';
import { useAsync } from '../api/useAsync';
import { datasetList } from '../api/cache';
import { useT } from '../i18n';
import { Link, useNavigate, useSearchParams } from '../router';
import { useTimeRange, withTime } from '../time/context';
import { usePageTitle } from '../components/PageTitle';
import { ErrorPanel, Spinner, EmptyState } from '../components/Status';
import { WidgetBody } from '../dashboards/WidgetView';
import { WidgetEditor } from '../dashboards/WidgetEditor';
import { variableValues } from '../dashboards/builder';
import { downloadJson, slug } from '../dashboards/download';
import { GRID_COLUMNS, newWidgetId, placeWidget, ROW_HEIGHT_PX, toStored, validateDashboard, type Dashboard, type Variable, type Widget } from '../dashboards/schema';

export default function DashboardPage({ id }: { id: string }) {
  const t = useT();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const { resolved, range, refreshKey } = useTimeRange();
  const loaded = useAsync(async (s) => {
    const raw = await api.dashboard(id, s);
    const v = validateDashboard(raw);
    if (!v.ok) throw new Error(t('dash.invalid') + '\n' + v.errors.join('\n'));
    return v.dashboard;
  }, [id]);
  const [dash, setDash] = useState<Dashboard | null>(null);
  const [savedJson, setSavedJson] = useState('');
  const [editing, setEditing] = useState(params.get('edit') === '1');
  const [editor, setEditor] = useState<{ widget: Widget; isNew: boolean } | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState('');
  const [notice, setNotice] = useState('');

  useEffect(() => {
    if (loaded.data) {
      setDash(loaded.data);
      setSavedJson(JSON.stringify(toStored(loaded.data)));
    }
  }, [loaded.data]);

  usePageTitle(t('dash.listTitle'), dash?.title ?? t('dash.title'));
  const dirty = !!dash && JSON.stringify(toStored(dash)) !== savedJson;

  useEffect(() => {
    if (!dirty) return;
    const onBefore = (e: BeforeUnloadEvent) => {
      e.preventDefault();
    };
    window.addEventListener('beforeunload', onBefore);
    return () => window.removeEventListener('beforeunload', onBefore);
  }, [dirty]);

  const values = useMemo(() => variableValues(dash?.variables ?? [], params), [dash?.variables, params]);

  const save = useCallback(async () => {
    if (!dash) return;
    const v = validateDashboard(toStored(dash));
    if (!v.ok) return setSaveError(v.errors.join('\n'));
    setSaving(true);
    setSaveError('');
    try {
      const stored = await api.updateDashboard(id, v.dashboard);
      const again = validateDashboard(stored);
      const next = again.ok ? again.dashboard : { ...dash };
      setDash(next);
      setSavedJson(JSON.stringify(toStored(next)));
      setNotice(t('dash.saved'));
      window.setTimeout(() => setNotice(''), 2500);
      setEditing(false);
      if (params.get('edit')) setParams({ edit: null }, { replace: true });
    } catch (e) {
      setSaveError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }, [dash, id, params, setParams, t]);

  if (loaded.error) {
    return (
      <div className="page">
        <ErrorPanel title={t('dash.loadFailed')} message={errorMessage(loaded.error)}>
          <Link className="btn" to={withTime('/dashboards', range)}>
            {t('dash.backToList')}
          </Link>
        </ErrorPanel>
      </div>
    );
  }
  if (!dash) return <div className="page-loading"><Spinner label={t('common.loading')} /></div>;

  const update = (patch: Partial<Dashboard>) => setDash({ ...dash, ...patch });
  const updateWidget = (wid: string, fn: (w: Widget) => Widget) => update({ widgets: dash.widgets.map((w) => (w.id === wid ? fn(w) : w)) });
  const removeWidget = (wid: string) => {
    const w = dash.widgets.find((x) => x.id === wid);
    if (w && window.confirm(t('dash.confirmRemoveWidget', { title: w.title || t('widget.untitled') }))) update({ widgets: dash.widgets.filter((x) => x.id !== wid) });
  };
  const addWidget = () =>
    setEditor({
      isNew: true,
      widget: {
        id: newWidgetId(dash.widgets),
        type: 'timeseries',
        title: '',
        layout: placeWidget(dash.widgets, 6, 4),
        query: { dataset: 'logs', filter: '', measure: { op: 'count' }, group_by: [], limit: 10 },
      },
    });
  const exportJson = () => downloadJson(`${slug(dash.title)}.json`, toStored(dash));
  const cancelEdit = () => {
    if (dirty && !window.confirm(t('dash.confirmDiscard'))) return;
    if (loaded.data) setDash(loaded.data);
    setEditing(false);
    setParams({ edit: null }, { replace: true });
  };

  const sorted = [...dash.widgets].sort((a, b) => a.layout.y - b.layout.y || a.layout.x - b.layout.x);

  return (
    <div className="page dashboard-page" data-testid="dashboard-page">
      <div className="dash-header">
        {editing ? (
          <div className="dash-title-edit">
            <input className="title-input" value={dash.title} onChange={(e) => update({ title: e.target.value })} aria-label={t('dash.titleLabel')} data-testid="dash-title-input" />
            <input className="desc-input" value={dash.description ?? ''} onChange={(e) => update({ description: e.target.value })} placeholder={t('dash.descriptionPlaceholder')} aria-label={t('dash.description')} />
          </div>
        ) : (
          <div>
            <h2 className="dash-title" data-testid="dash-title">{dash.title}</h2>
            {dash.description ? <p className="muted dash-desc">{dash.description}</p> : null}
          </div>
        )}
        <div className="dash-actions">
          {notice ? <span className="toast-inline" role="status">{notice}</span> : null}
          {editing ? (
            <>
              <button type="button" className="btn" onClick={addWidget} data-testid="add-widget">
                + {t('widget.add')}
              </button>
              <button type="button" className="btn" onClick={cancelEdit} data-testid="dash-cancel">
                {t('common.cancel')}
              </button>
              <button type="button" className="btn btn-primary" onClick={save} disabled={saving} data-testid="dash-save">
                {saving ? t('common.saving') : t('common.save')}
              </button>
            </>
          ) : (
            <>
              <button type="button" className="btn" onClick={exportJson} data-testid="dash-export">
                {t('dash.export')}
              </button>
              <button
                type="button"
                className="btn"
                data-testid="dash-duplicate"
                onClick={async () => {
                  try {
                    const copy = await api.createDashboard({ ...toStored(dash), title: t('dash.copyOf', { title: dash.title }) });
                    navigate(withTime(`/dashboards/${encodeURIComponent(String(copy.id))}`, range));
                  } catch (e) {
                    setSaveError(errorMessage(e));
                  }
                }}
              >
                {t('dash.duplicate')}
              </button>
              <button type="button" className="btn btn-primary" onClick={() => setEditing(true)} data-testid="dash-edit">
                {t('dash.edit')}
              </button>
            </>
          )}
        </div>
      </div>

      {saveError ? <ErrorPanel title={t('dash.saveFailed')} message={saveError} testid="dash-save-error" /> : null}
      {dirty && !editing ? <div className="warning-panel">{t('dash.unsaved')}</div> : null}

      <VariablesBar
        variables={dash.variables}
        values={values}
        editing={editing}
        onValue={(name, v) => setParams({ [`var-${name}`]: v }, { replace: true })}
        onChange={(variables) => update({ variables })}
      />

      {dash.widgets.length === 0 ? (
        <EmptyState title={t('dash.noWidgets')} testid="dash-empty">
          <p>{t('dash.noWidgetsHint')}</p>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              setEditing(true);
              addWidget();
            }}
          >
            + {t('widget.add')}
          </button>
        </EmptyState>
      ) : (
        <div className="dash-grid" style={{ gridTemplateColumns: `repeat(${GRID_COLUMNS}, minmax(0, 1fr))`, gridAutoRows: `${ROW_HEIGHT_PX}px` }} data-testid="dash-grid">
          {sorted.map((w) => (
            <div
              key={w.id}
              className={`widget widget-${w.type}`}
              data-testid="widget"
              data-widget-id={w.id}
              data-widget-type={w.type}
              style={{ gridColumn: `${w.layout.x + 1} / span ${w.layout.w}`, gridRow: `${w.layout.y + 1} / span ${w.layout.h}` }}
            >
              <div className="widget-head">
                <h3 className="widget-title" title={w.title}>{w.title || <span className="muted">{t('widget.untitled')}</span>}</h3>
                {editing ? <WidgetControls w={w} onEdit={() => setEditor({ widget: w, isNew: false })} onRemove={() => removeWidget(w.id)} onLayout={(layout) => updateWidget(w.id, (x) => ({ ...x, layout }))} /> : null}
              </div>
              <WidgetBody widget={w} values={values} resolved={resolved} range={range} refreshKey={refreshKey} />
            </div>
          ))}
        </div>
      )}

      {editor ? (
        <WidgetEditor
          initial={editor.widget}
          isNew={editor.isNew}
          values={values}
          onCancel={() => setEditor(null)}
          onSave={(w) => {
            if (editor.isNew) update({ widgets: [...dash.widgets, w] });
            else updateWidget(w.id, () => w);
            setEditor(null);
          }}
        />
      ) : null}
    </div>
  );
}

function WidgetControls({ w, onEdit, onRemove, onLayout }: { w: Widget; onEdit: () => void; onRemove: () => void; onLayout: (l: Widget['layout']) => void }) {
  const t = useT();
  const l = w.layout;
  const set = (patch: Partial<Widget['layout']>) => {
    const n = { ...l, ...patch };
    n.w = Math.max(1, Math.min(GRID_COLUMNS, n.w));
    n.h = Math.max(1, Math.min(24, n.h));
    n.x = Math.max(0, Math.min(GRID_COLUMNS - n.w, n.x));
    n.y = Math.max(0, n.y);
    onLayout(n);
  };
  return (
    <div className="widget-controls" data-testid="widget-controls">
      <button type="button" className="icon-btn" onClick={() => set({ x: l.x - 1 })} title={t('layout.left')} aria-label={t('layout.left')}>←</button>
      <button type="button" className="icon-btn" onClick={() => set({ x: l.x + 1 })} title={t('layout.right')} aria-label={t('layout.right')}>→</button>
      <button type="button" className="icon-btn" onClick={() => set({ y: l.y - 1 })} title={t('layout.up')} aria-label={t('layout.up')}>↑</button>
      <button type="button" className="icon-btn" onClick={() => set({ y: l.y + 1 })} title={t('layout.down')} aria-label={t('layout.down')}>↓</button>
      <button type="button" className="icon-btn" onClick={() => set({ w: l.w - 1 })} title={t('layout.narrower')} aria-label={t('layout.narrower')}>⇤</button>
      <button type="button" className="icon-btn" onClick={() => set({ w: l.w + 1 })} title={t('layout.wider')} aria-label={t('layout.wider')}>⇥</button>
      <button type="button" className="icon-btn" onClick={() => set({ h: l.h - 1 })} title={t('layout.shorter')} aria-label={t('layout.shorter')}>⤒</button>
      <button type="button" className="icon-btn" onClick={() => set({ h: l.h + 1 })} title={t('layout.taller')} aria-label={t('layout.taller')}>⤓</button>
      <button type="button" className="icon-btn" onClick={onEdit} title={t('widget.edit')} aria-label={t('widget.edit')} data-testid="widget-edit">✎</button>
      <button type="button" className="icon-btn danger" onClick={onRemove} title={t('widget.remove')} aria-label={t('widget.remove')} data-testid="widget-remove">✕</button>
    </div>
  );
}

function VariablesBar({
  variables,
  values,
  editing,
  onValue,
  onChange,
}: {
  variables: Variable[];
  values: Record<string, string>;
  editing: boolean;
  onValue: (name: string, v: string) => void;
  onChange: (v: Variable[]) => void;
}) {
  const t = useT();
  const datasets = useAsync(() => (editing ? datasetList() : null), [editing]);
  if (!variables.length && !editing) return null;
  return (
    <div className="variables-bar" data-testid="variables-bar">
      {variables.map((v, i) => (
        <div key={v.name} className="variable">
          <VariableSelect variable={v} value={values[v.name] ?? v.default} onChange={(x) => onValue(v.name, x)} />
          {editing ? (
            <span className="variable-edit">
              <select value={v.dataset} onChange={(e) => onChange(variables.map((x, j) => (j === i ? { ...x, dataset: e.target.value } : x)))} aria-label={t('widget.dataset')}>
                {(datasets.data?.map((d) => d.name) ?? [v.dataset]).map((n) => (
                  <option key={n}>{n}</option>
                ))}
              </select>
              <input value={v.field} onChange={(e) => onChange(variables.map((x, j) => (j === i ? { ...x, field: e.target.value } : x)))} aria-label={t('dash.varField')} size={10} />
              <button type="button" className="icon-btn danger" onClick={() => onChange(variables.filter((_, j) => j !== i))} aria-label={t('common.delete')} title={t('common.delete')}>
                ✕
              </button>
            </span>
          ) : null}
        </div>
      ))}
      {editing ? <AddVariable existing={variables} onAdd={(v) => onChange([...variables, v])} /> : null}
      {!editing && variables.length ? <span className="muted small">{t('dash.varHint')}</span> : null}
    </div>
  );
}

function AddVariable({ existing, onAdd }: { existing: Variable[]; onAdd: (v: Variable) => void }) {
  const t = useT();
  const [name, setName] = useState('');
  const ok = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !existing.some((v) => v.name === name);
  return (
    <form
      className="add-variable"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ok) return;
        onAdd({ name, dataset: 'logs', field: name, default: '*' });
        setName('');
      }}
    >
      <input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('dash.varName')} size={10} aria-label={t('dash.varName')} />
      <button type="submit" className="btn btn-small" disabled={!ok}>
        + {t('dash.addVariable')}
      </button>
    </form>
  );
}

function VariableSelect({ variable, value, onChange }: { variable: Variable; value: string; onChange: (v: string) => void }) {
  const t = useT();
  const { resolved } = useTimeRange();
  // Options load when the pointer or focus reaches the dropdown, so they do
  // not compete with the widgets' queries when the dashboard opens.
  const [wanted, setWanted] = useState(false);
  useEffect(() => {
    const id = window.setTimeout(() => setWanted(true), 2500);
    return () => window.clearTimeout(id);
  }, []);
  const opts = useAsync(
    (s) => (wanted ? api.values(variable.dataset, { field: variable.field, from_ms: resolved.fromMs, to_ms: resolved.toMs, limit: 100 }, s) : null),
    [wanted, variable.dataset, variable.field, resolved.fromMs, resolved.toMs],
  );
  const list = (opts.data?.values ?? []).map((v) => String(v.value ?? '')).filter(Boolean);
  if (value !== '*' && value && !list.includes(value)) list.unshift(value);
  return (
    <label className="variable-select" onPointerEnter={() => setWanted(true)} onFocus={() => setWanted(true)} onTouchStart={() => setWanted(true)}>
      <span className="variable-name">{variable.label ?? variable.name}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={`var-${variable.name}`} title={opts.error ? errorMessage(opts.error) : undefined}>
        <option value="*">{t('dash.all')}</option>
        {list.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
      {opts.loading ? <Spinner small /> : null}
      {opts.error ? <span className="form-error small" title={errorMessage(opts.error)}>!</span> : null}
    </label>
  );
}
