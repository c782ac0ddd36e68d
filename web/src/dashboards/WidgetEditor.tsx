import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { useAsync } from '../api/useAsync';
import { datasetInfo, datasetList, isNumericType } from '../api/cache';
import { MEASURE_OPS, type MeasureOp, type OfferedOp } from '../api/types';
import { useT, type MessageKey } from '../i18n';
import { useTimeRange } from '../time/context';
import { SearchBar } from '../search/SearchBar';
import { Spinner } from '../components/Status';
import { WidgetBody } from './WidgetView';
import type { VariableValues } from './builder';
import { isBuilderQuery, isEventsQuery, isSqlQuery, validateDashboard, WIDGET_TYPES, type BuilderQuery, type EventsQuery, type Widget, type WidgetType } from './schema';

const SqlEditor = lazy(() => import('../sql/SqlEditor'));

interface Props {
  initial: Widget;
  values: VariableValues;
  onSave: (w: Widget) => void;
  onCancel: () => void;
  isNew: boolean;
}

const TYPE_KEYS: Record<WidgetType, MessageKey> = {
  timeseries: 'widget.type.timeseries',
  toplist: 'widget.type.toplist',
  table: 'widget.type.table',
  value: 'widget.type.value',
  note: 'widget.type.note',
};

const OP_KEYS: Record<OfferedOp, MessageKey> = {
  count: 'measure.count',
  count_distinct: 'measure.count_distinct',
  sum: 'measure.sum',
  avg: 'measure.avg',
  min: 'measure.min',
  max: 'measure.max',
  p50: 'measure.p50',
  p90: 'measure.p90',
  p95: 'measure.p95',
  p99: 'measure.p99',
};

type Mode = 'builder' | 'events' | 'sql';

const DEFAULT_BUILDER: BuilderQuery = { dataset: 'logs', filter: '', measure: { op: 'count' }, group_by: [], limit: 10 };

function modeOf(w: Widget): Mode {
  if (isSqlQuery(w.query)) return 'sql';
  if (isEventsQuery(w.query)) return 'events';
  return 'builder';
}

/** Add/edit a widget: type, title, and the point-and-click query builder or SQL. */
export function WidgetEditor({ initial, values, onSave, onCancel, isNew }: Props) {
  const t = useT();
  const { resolved, range, refreshKey } = useTimeRange();
  const [w, setW] = useState<Widget>(initial);
  const [mode, setMode] = useState<Mode>(modeOf(initial));
  // Keep each mode's query so switching tabs loses nothing.
  const [builder, setBuilder] = useState<BuilderQuery>(isBuilderQuery(initial.query) ? initial.query : { ...DEFAULT_BUILDER });
  const [events, setEvents] = useState<EventsQuery>(
    isEventsQuery(initial.query) ? initial.query : { dataset: 'logs', filter: 'level:error', columns: ['timestamp', 'service', 'body'], limit: 20 },
  );
  const [sql, setSql] = useState(isSqlQuery(initial.query) ? initial.query.sql : 'SELECT service, count(*) AS events\nFROM logs\nWHERE $__timeFilter\nGROUP BY service\nORDER BY events DESC\nLIMIT 10');
  const [filterDraft, setFilterDraft] = useState(mode === 'events' ? events.filter : builder.filter);
  const [preview, setPreview] = useState<Widget>(initial);

  const datasets = useAsync(() => datasetList(), []);
  const activeDataset = mode === 'events' ? events.dataset : builder.dataset;
  const info = useAsync(() => datasetInfo(activeDataset), [activeDataset]);
  const columns = useMemo(() => (info.data?.columns ?? []).filter((c) => c.name !== 'attributes'), [info.data]);
  const fieldNames = useMemo(() => columns.map((c) => c.name), [columns]);
  const numericFields = useMemo(() => columns.filter((c) => isNumericType(c.type)).map((c) => c.name), [columns]);

  const type = w.type;
  const effectiveMode: Mode = type === 'table' ? mode : mode === 'events' ? 'builder' : mode;

  // The widget as it would be saved.
  const draft: Widget = useMemo(() => {
    const base: Widget = { id: w.id, type: w.type, title: w.title, layout: w.layout, ...(w.unit ? { unit: w.unit } : {}) };
    if (type === 'note') return { ...base, markdown: w.markdown ?? '' };
    if (effectiveMode === 'sql') return { ...base, query: { sql } };
    if (effectiveMode === 'events') return { ...base, query: { ...events } };
    const b: BuilderQuery = { ...builder, group_by: type === 'value' ? [] : builder.group_by };
    if (type === 'toplist' && b.group_by.length === 0) b.group_by = [];
    return { ...base, query: b };
  }, [w, type, effectiveMode, sql, events, builder]);

  const errors = useMemo(() => {
    const r = validateDashboard({ title: 'x', widgets: [draft] });
    return r.ok ? [] : r.errors.map((e) => e.replace(/^widgets\[0\]\.?/, ''));
  }, [draft]);

  // Preview follows the draft, debounced.
  useEffect(() => {
    if (errors.length) return;
    const id = window.setTimeout(() => setPreview(draft), 400);
    return () => window.clearTimeout(id);
  }, [draft, errors.length]);

  // Escape closes the editor (unless a suggestion list or the SQL editor's completion is open).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      const el = document.activeElement;
      if (el && (el.closest('.searchbar') || el.closest('.cm-editor'))) return;
      onCancel();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onCancel]);

  const needsField = builder.measure.op !== 'count';
  const fieldChoices = builder.measure.op === 'count_distinct' ? fieldNames : numericFields;

  const setOp = (op: MeasureOp) => {
    setBuilder((b) => {
      const choices = op === 'count_distinct' ? fieldNames : numericFields;
      const field = op === 'count' ? undefined : b.measure.field && choices.includes(b.measure.field) ? b.measure.field : choices.includes('duration_ms') ? 'duration_ms' : choices[0];
      return { ...b, measure: field ? { op, field } : { op } };
    });
  };

  const setType = (nt: WidgetType) => {
    setW((x) => ({ ...x, type: nt, ...(nt === 'note' && !x.markdown ? { markdown: t('widget.noteDefault') } : {}) }));
    if (nt === 'toplist' && builder.group_by.length === 0) {
      setBuilder((b) => ({ ...b, group_by: [fieldNames.includes('service') ? 'service' : fieldNames[0] ?? 'service'] }));
    }
  };

  return (
    <div className="modal-backdrop" role="presentation">
      <div className="modal widget-editor" role="dialog" aria-modal="true" aria-label={isNew ? t('widget.add') : t('widget.edit')} data-testid="widget-editor">
        <header className="modal-head">
          <h2>{isNew ? t('widget.add') : t('widget.edit')}</h2>
          <button type="button" className="btn btn-ghost" onClick={onCancel} aria-label={t('common.close')}>
            ✕
          </button>
        </header>
        <div className="modal-body editor-layout">
          <div className="editor-form">
            <fieldset className="type-picker">
              <legend>{t('widget.type')}</legend>
              {WIDGET_TYPES.map((wt) => (
                <button key={wt} type="button" className={type === wt ? 'type-option active' : 'type-option'} aria-pressed={type === wt} onClick={() => setType(wt)} data-testid={`widget-type-${wt}`}>
                  {t(TYPE_KEYS[wt])}
                </button>
              ))}
            </fieldset>
            <label className="form-row">
              {t('widget.title')}
              <input value={w.title} onChange={(e) => setW({ ...w, title: e.target.value })} data-testid="widget-title" placeholder={t('widget.titlePlaceholder')} />
            </label>

            {type === 'note' ? (
              <label className="form-row">
                {t('widget.markdown')}
                <textarea rows={10} value={w.markdown ?? ''} onChange={(e) => setW({ ...w, markdown: e.target.value })} data-testid="widget-markdown" />
                <span className="muted small">{t('widget.markdownHelp')}</span>
              </label>
            ) : (
              <>
                <div className="segmented" role="tablist">
                  <button type="button" role="tab" aria-selected={effectiveMode !== 'sql'} className={effectiveMode !== 'sql' ? 'active' : ''} onClick={() => setMode(type === 'table' && mode === 'events' ? 'events' : 'builder')} data-testid="tab-builder">
                    {t('widget.builder')}
                  </button>
                  <button type="button" role="tab" aria-selected={effectiveMode === 'sql'} className={effectiveMode === 'sql' ? 'active' : ''} onClick={() => setMode('sql')} data-testid="tab-sql">
                    SQL
                  </button>
                </div>

                {effectiveMode === 'sql' ? (
                  <div className="form-row">
                    <Suspense fallback={<Spinner small />}>
                      <SqlEditor value={sql} onChange={setSql} onRun={() => setPreview(draft)} testid="widget-sql" minHeight={160} ariaLabel="SQL" />
                    </Suspense>
                    <span className="muted small">{t('widget.sqlHelp')}</span>
                  </div>
                ) : (
                  <>
                    {type === 'table' ? (
                      <div className="form-row">
                        <span>{t('widget.tableShows')}</span>
                        <div className="segmented">
                          <button type="button" className={mode !== 'events' ? 'active' : ''} onClick={() => (setMode('builder'), setFilterDraft(builder.filter))} data-testid="table-mode-aggregate">
                            {t('widget.tableAggregate')}
                          </button>
                          <button type="button" className={mode === 'events' ? 'active' : ''} onClick={() => (setMode('events'), setFilterDraft(events.filter))} data-testid="table-mode-events">
                            {t('widget.tableEvents')}
                          </button>
                        </div>
                      </div>
                    ) : null}
                    <label className="form-row">
                      <span>
                        <b className="step">1</b> {t('widget.dataset')}
                      </span>
                      <select
                        value={activeDataset}
                        data-testid="builder-dataset"
                        onChange={(e) => (effectiveMode === 'events' ? setEvents({ ...events, dataset: e.target.value }) : setBuilder({ ...builder, dataset: e.target.value }))}
                      >
                        {(datasets.data?.map((d) => d.name) ?? [activeDataset]).map((n) => (
                          <option key={n} value={n}>
                            {n}
                          </option>
                        ))}
                      </select>
                    </label>
                    <div className="form-row">
                      <span>
                        <b className="step">2</b> {t('widget.filter')} <span className="muted small">{t('widget.filterHelp')}</span>
                      </span>
                      <SearchBar
                        value={filterDraft}
                        onChange={(v) => {
                          setFilterDraft(v);
                          if (effectiveMode === 'events') setEvents((e) => ({ ...e, filter: v }));
                          else setBuilder((b) => ({ ...b, filter: v }));
                        }}
                        onSubmit={() => setPreview(draft)}
                        dataset={activeDataset}
                        fields={fieldNames}
                        runButton={false}
                        testid="builder-filter"
                        placeholder={t('widget.filterPlaceholder')}
                      />
                    </div>
                    {effectiveMode === 'events' ? (
                      <>
                        <label className="form-row">
                          <span>
                            <b className="step">3</b> {t('widget.columns')}
                          </span>
                          <input
                            value={events.columns.join(', ')}
                            onChange={(e) => setEvents({ ...events, columns: e.target.value.split(',').map((c) => c.trim()).filter(Boolean) })}
                            list="field-names"
                            data-testid="builder-columns"
                          />
                          <datalist id="field-names">
                            {fieldNames.map((f) => (
                              <option key={f} value={f} />
                            ))}
                          </datalist>
                        </label>
                        <label className="form-row narrow">
                          {t('widget.limit')}
                          <input type="number" min={1} max={1000} value={events.limit ?? 20} onChange={(e) => setEvents({ ...events, limit: Number(e.target.value) || 20 })} />
                        </label>
                      </>
                    ) : (
                      <>
                        <div className="form-row">
                          <span>
                            <b className="step">3</b> {t('widget.measure')}
                          </span>
                          <div className="inline-fields">
                            <select value={builder.measure.op} onChange={(e) => setOp(e.target.value as MeasureOp)} data-testid="builder-op" aria-label={t('widget.measure')}>
                              {MEASURE_OPS.map((op) => (
                                <option key={op} value={op}>
                                  {t(OP_KEYS[op])}
                                </option>
                              ))}
                            </select>
                            {needsField ? (
                              <select
                                value={builder.measure.field ?? ''}
                                onChange={(e) => setBuilder({ ...builder, measure: { op: builder.measure.op, field: e.target.value } })}
                                data-testid="builder-field"
                                aria-label={t('widget.ofField')}
                              >
                                <option value="" disabled>
                                  {t('widget.chooseField')}
                                </option>
                                {fieldChoices.map((f) => (
                                  <option key={f} value={f}>
                                    {f}
                                  </option>
                                ))}
                              </select>
                            ) : null}
                          </div>
                          {needsField && fieldChoices.length === 0 ? <span className="form-error">{t('widget.noNumericFields')}</span> : null}
                        </div>
                        {type !== 'value' ? (
                          <div className="form-row">
                            <span>
                              <b className="step">4</b> {t('widget.groupBy')}
                            </span>
                            <div className="inline-fields">
                              <select
                                value={builder.group_by[0] ?? ''}
                                onChange={(e) => setBuilder({ ...builder, group_by: e.target.value ? [e.target.value] : [] })}
                                data-testid="builder-group"
                                aria-label={t('widget.groupBy')}
                              >
                                {type !== 'toplist' ? <option value="">{t('widget.noGroup')}</option> : null}
                                {fieldNames
                                  .filter((f) => f !== 'timestamp')
                                  .map((f) => (
                                    <option key={f} value={f}>
                                      {f}
                                    </option>
                                  ))}
                              </select>
                              {builder.group_by.length ? (
                                <label className="inline">
                                  {t('widget.limit')}
                                  <input type="number" min={1} max={100} value={builder.limit ?? 10} onChange={(e) => setBuilder({ ...builder, limit: Math.max(1, Math.min(100, Number(e.target.value) || 10)) })} data-testid="builder-limit" />
                                </label>
                              ) : null}
                              {builder.group_by.length && type !== 'timeseries' ? (
                                <select value={builder.order ?? 'desc'} onChange={(e) => setBuilder({ ...builder, order: e.target.value as 'asc' | 'desc' })} aria-label={t('widget.order')}>
                                  <option value="desc">{t('widget.orderDesc')}</option>
                                  <option value="asc">{t('widget.orderAsc')}</option>
                                </select>
                              ) : null}
                            </div>
                          </div>
                        ) : null}
                      </>
                    )}
                  </>
                )}
                <label className="form-row narrow">
                  {t('widget.unit')}
                  <input value={w.unit ?? ''} onChange={(e) => setW({ ...w, unit: e.target.value || undefined })} placeholder="ms, %, KRW" />
                </label>
              </>
            )}
          </div>
          <div className="editor-preview">
            <div className="popover-heading">{t('widget.preview')}</div>
            <div className="widget preview-widget">
              <div className="widget-head">
                <h3 className="widget-title">{preview.title || t('widget.untitled')}</h3>
              </div>
              {errors.length ? (
                <ul className="form-errors" data-testid="widget-errors">
                  {errors.map((e) => (
                    <li key={e}>{e}</li>
                  ))}
                </ul>
              ) : (
                <WidgetBody widget={preview} values={values} resolved={resolved} range={range} refreshKey={refreshKey} />
              )}
            </div>
          </div>
        </div>
        <footer className="modal-foot">
          <button type="button" className="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="button" className="btn btn-primary" disabled={errors.length > 0} onClick={() => onSave(draft)} data-testid="widget-save">
            {isNew ? t('widget.addToDashboard') : t('widget.apply')}
          </button>
        </footer>
      </div>
    </div>
  );
}
