import { Fragment, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { api, errorMessage } from '../api/client';
import { useAsync } from '../api/useAsync';
import { useI18n, type MessageKey } from '../i18n';
import { Link, useSearchParams } from '../router';
import { useTimeRange } from '../time/context';
import { formatTime, formatTimestamp } from '../time/range';
import { usePageTitle } from '../components/PageTitle';
import { SortTh } from '../components/SortTh';
import { Sparkline } from '../components/Sparkline';
import { CardLoading, EmptyState, LoadError, Spinner, Warning } from '../components/Status';
import { TimeChart, type ChartSeries } from '../charts/TimeChart';
import { formatElapsed, formatFull } from '../charts/format';
import { formatAgo } from '../issues/issues';
import { SecurityTabs } from '../security/SecurityTabs';
import { SeverityBadge } from '../security/Badges';
import { EventsTable } from '../security/EventsTable';
import { ExceptionForm } from '../security/ExceptionForm';
import { ExceptionsTable } from '../security/ExceptionsTable';
import { EMPTY_DRAFT, exceptionsOfRule, type SignalException } from '../security/exceptions';
import { useWho } from '../security/who';
import {
  countByState,
  DEFAULT_RULE_SORT,
  DEFAULT_TEST_DAYS,
  filterRules,
  isSigma,
  matchRows,
  nextRuleSort,
  RULE_KINDS,
  RULE_STATES,
  RULE_TEMPLATE,
  sortRules,
  TEST_DAYS,
  validateRuleTest,
  type HistoryRun,
  type RuleInfo,
  type RuleRunReply,
  type RuleSort,
  type RuleSortKey,
  type RuleTestResult,
} from '../security/rules';
import { beforeAfter, signalsUrl, volumeByKey, volumeQuery } from '../security/signals';

const DAY = 86_400_000;

export default function SecurityRulesPage() {
  const { t, lang } = useI18n();
  usePageTitle(t('sec.rules.title'));
  const [params, setParams] = useSearchParams();
  const selected = params.get('rule') ?? '';
  const [who, setWho] = useWho();
  const rules = useAsync((s) => api.rules(s), []);
  const [overrides, setOverrides] = useState<Record<string, RuleInfo>>({});
  const all = useMemo(() => (rules.data ?? []).map((r) => overrides[r.id] ?? r), [rules.data, overrides]);
  // Sparklines over the same 30 days as the detections column.
  const [monthAgo] = useState(() => Date.now() - 30 * DAY);
  const spark = useAsync((s) => api.signalVolume(volumeQuery({ groupBy: 'rule_id' }, { fromMs: monthAgo, toMs: monthAgo + 30 * DAY }), s), [monthAgo]);
  const sparks = useMemo(() => volumeByKey(spark.data), [spark.data]);
  const exceptions = useAsync((s) => api.exceptions(s), []);

  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const [state, setState] = useState('');
  const [sort, setSort] = useState<RuleSort>(DEFAULT_RULE_SORT);
  const shown = useMemo(() => sortRules(filterRules(all, { q, kind, state }), sort), [all, q, kind, state, sort]);
  const states = useMemo(() => countByState(all), [all]);
  const [toggleFailure, setToggleFailure] = useState<string | null>(null);
  const [toggling, setToggling] = useState<string | null>(null);
  const editorRef = useRef<HTMLElement>(null);
  const [yaml, setYaml] = useState(RULE_TEMPLATE);
  const [opened, setOpened] = useState<{ ruleId: string; file: string } | null>(null);
  const toEditor = () => editorRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  const now = Date.now();

  const toggle = async (r: RuleInfo) => {
    setToggling(r.id);
    setToggleFailure(null);
    try {
      const updated = await api.setRuleState({ rule_id: r.id, enabled: !r.enabled, by: who.trim() || undefined });
      setOverrides((o) => ({ ...o, [r.id]: updated && typeof updated.enabled === 'boolean' ? updated : { ...r, enabled: !r.enabled } }));
    } catch (e) {
      setToggleFailure(`${r.title}: ${errorMessage(e)}`);
    } finally {
      setToggling(null);
    }
  };

  const columns: { key: RuleSortKey; label: MessageKey; numeric: boolean }[] = [
    { key: 'enabled', label: 'sec.rules.enabled', numeric: false },
    { key: 'severity', label: 'sec.col.severity', numeric: false },
    { key: 'title', label: 'sec.rule', numeric: false },
    { key: 'kind', label: 'sec.rules.kind', numeric: false },
    { key: 'source', label: 'sec.source', numeric: false },
    { key: 'state', label: 'sec.rules.state', numeric: false },
    { key: 'matches_30d', label: 'sec.rules.matches30d', numeric: true },
    { key: 'last_match_ms', label: 'sec.rules.lastMatch', numeric: false },
  ];

  return (
    <div className="page sec-page" data-testid="security-rules-page">
      <SecurityTabs />
      <section className="card">
        <header className="card-head filter-bar">
          <input type="search" className="filter-grow" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('sec.rules.filter')} aria-label={t('sec.rules.filter')} data-testid="sec-rules-q" />
          <label className="field-inline">
            <span className="muted small">{t('sec.rules.kind')}</span>
            <select value={kind} onChange={(e) => setKind(e.target.value)} data-testid="sec-rules-kind">
              <option value="">{t('sec.all')}</option>
              {RULE_KINDS.map((k) => (
                <option key={k} value={k}>{t(`sec.kind.${k}` as MessageKey)}</option>
              ))}
            </select>
          </label>
          <label className="field-inline">
            <span className="muted small">{t('sec.rules.state')}</span>
            <select value={state} onChange={(e) => setState(e.target.value)} data-testid="sec-rules-state">
              <option value="">{t('sec.all')}</option>
              {RULE_STATES.map((s) => (
                <option key={s} value={s}>{t(`sec.state.${s}` as MessageKey)}</option>
              ))}
            </select>
          </label>
          {rules.data ? (
            <span className="muted small" data-testid="sec-rules-summary">
              {t('sec.rules.summary', { n: formatFull(all.length), loaded: formatFull(states.loaded ?? 0), notRouted: formatFull(states.not_routed ?? 0), failed: formatFull(states.failed ?? 0) })}
            </span>
          ) : null}
          <span className="spacer" />
          <button type="button" className="btn" onClick={toEditor} data-testid="sec-rules-to-editor">
            {t('sec.rules.testARule')}
          </button>
        </header>
        {toggleFailure ? (
          <div className="form-error card-note" role="alert" data-testid="sec-rules-toggle-error">
            {t('sec.rules.toggleFailed')}: {toggleFailure}
          </div>
        ) : null}
        {rules.error ? (
          <LoadError title={t('sec.rules.loadFailed')} error={rules.error} onRetry={rules.reload} testid="sec-rules-error" />
        ) : !rules.data ? (
          <CardLoading />
        ) : shown.length === 0 ? (
          <EmptyState title={t('sec.rules.none')}>
            <p>{t('sec.rules.noneHint')}</p>
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="table apm-table sec-rules-table" data-testid="sec-rules-table">
              <thead>
                <tr>
                  {columns.map((c) => (
                    <SortTh key={c.key} col={c.key} label={t(c.label)} numeric={c.numeric} sort={sort} onSort={(k) => setSort((s) => nextRuleSort(s, k))} testid={`sec-rules-sort-${c.key}`} />
                  ))}
                  <th aria-label={t('sec.rules.open')} />
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => {
                  const open = r.id === selected;
                  const values = sparks.get(r.id);
                  return (
                    <Fragment key={r.id}>
                      <tr
                        className={`rule-row clickable-row${open ? ' open' : ''}${r.enabled ? '' : ' rule-off'}`}
                        onClick={(e) => {
                          if ((e.target as HTMLElement).closest('a, button, input, label')) return;
                          setParams({ rule: open ? null : r.id }, { replace: true });
                        }}
                        data-testid="sec-rule-row"
                        data-rule={r.id}
                      >
                        <td>
                          <label className="switch" title={r.enabled ? t('sec.rules.turnOff') : t('sec.rules.turnOn')}>
                            <input
                              type="checkbox"
                              checked={r.enabled}
                              disabled={toggling === r.id}
                              onChange={() => void toggle(r)}
                              aria-label={t(r.enabled ? 'sec.rules.turnOffNamed' : 'sec.rules.turnOnNamed', { rule: r.title })}
                              data-testid="sec-rule-enabled"
                            />
                            <span className="switch-track" aria-hidden />
                          </label>
                        </td>
                        <td><SeverityBadge severity={r.severity} /></td>
                        <td className="rule-main">
                          <button type="button" className="link-button rule-title" onClick={() => setParams({ rule: open ? null : r.id }, { replace: true })} aria-expanded={open} data-testid="sec-rule-title">
                            {r.title}
                          </button>
                          <div className="muted small mono wrap-anywhere">{r.id}</div>
                        </td>
                        <td className="nowrap">{RULE_KINDS.includes(r.kind as (typeof RULE_KINDS)[number]) ? t(`sec.kind.${r.kind}` as MessageKey) : r.kind}</td>
                        <td className="nowrap">{r.source ?? <span className="muted">–</span>}</td>
                        <td>
                          <span className={`rule-state rule-state-${r.state}`} data-testid="sec-rule-state">
                            {RULE_STATES.includes(r.state as (typeof RULE_STATES)[number]) ? t(`sec.state.${r.state}` as MessageKey) : r.state}
                          </span>
                          {r.reason ? <div className="small rule-reason">{r.reason}</div> : null}
                        </td>
                        <td className="right nowrap">
                          <span className="rule-spark">
                            {values ? <Sparkline values={values} width={90} height={22} color={r.matches_30d ? 'var(--warn)' : 'var(--border-strong)'} label={t('sec.rules.matches30d')} /> : null}
                            <span className="rule-count">{formatFull(r.matches_30d)}</span>
                          </span>
                        </td>
                        <td className="nowrap small" title={r.last_match_ms ? formatTimestamp(r.last_match_ms) : undefined}>
                          {r.last_match_ms ? (
                            <>
                              {formatTime(r.last_match_ms, false)}
                              <div className="muted">{formatAgo(now - r.last_match_ms, lang)}</div>
                            </>
                          ) : (
                            <span className="muted">{t('sec.rules.never')}</span>
                          )}
                        </td>
                        <td className="caret-cell muted">{open ? '▾' : '▸'}</td>
                      </tr>
                      {open ? (
                        <tr className="rule-detail-row">
                          <td colSpan={columns.length + 1}>
                            <RuleDetail
                              rule={r}
                              exceptions={exceptionsOfRule(exceptions.data ?? [], r.id)}
                              exceptionsLoading={!exceptions.data && exceptions.loading}
                              ruleTitle={(id) => all.find((x) => x.id === id)?.title}
                              who={who}
                              onWho={setWho}
                              onExceptionsChanged={exceptions.reload}
                              onRulesChanged={rules.reload}
                              onOpenSource={(text, file) => {
                                setYaml(text);
                                setOpened({ ruleId: r.id, file });
                                window.setTimeout(toEditor, 50);
                              }}
                            />
                          </td>
                        </tr>
                      ) : null}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <RuleEditor
        sectionRef={editorRef}
        yaml={yaml}
        onYaml={setYaml}
        opened={opened}
        onReset={() => {
          setYaml(RULE_TEMPLATE);
          setOpened(null);
        }}
      />
    </div>
  );
}

/** One rule opened: its volume before and after exceptions over the range, and its exceptions. */
function RuleDetail({
  rule,
  exceptions,
  exceptionsLoading,
  ruleTitle,
  who,
  onWho,
  onExceptionsChanged,
  onRulesChanged,
  onOpenSource,
}: {
  rule: RuleInfo;
  exceptions: SignalException[];
  exceptionsLoading: boolean;
  ruleTitle: (id: string) => string | undefined;
  who: string;
  onWho: (w: string) => void;
  onExceptionsChanged: () => void;
  onRulesChanged: () => void;
  onOpenSource: (yaml: string, file: string) => void;
}) {
  const { t } = useI18n();
  const { range, resolved } = useTimeRange();
  const ref = useRef<HTMLDivElement>(null);
  const [adding, setAdding] = useState(false);
  const qs = volumeQuery({ groupBy: 'rule_id', rule: rule.id }, { fromMs: resolved.fromMs, toMs: resolved.toMs }).toString();
  const volume = useAsync((s) => api.signalVolume(new URLSearchParams(qs), s), [qs]);
  const ba = useMemo(() => (volume.data ? beforeAfter(volume.data) : null), [volume.data]);
  const series = useMemo<ChartSeries[]>(
    () => (ba ? [
      { label: t('sec.rules.before'), values: ba.before, color: '#f59e0b' },
      { label: t('sec.rules.after'), values: ba.after, color: 'var(--accent)' },
    ] : []),
    [ba, t],
  );
  useEffect(() => {
    ref.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  const [opening, setOpening] = useState(false);
  const [sourceFailure, setSourceFailure] = useState<string | null>(null);
  const openSource = async () => {
    setOpening(true);
    setSourceFailure(null);
    try {
      const src = await api.ruleSource(rule.id);
      onOpenSource(src.yaml, src.file);
    } catch (e) {
      setSourceFailure(errorMessage(e));
    } finally {
      setOpening(false);
    }
  };

  return (
    <div className="rule-detail" ref={ref} data-testid="sec-rule-detail">
      <div className="rule-detail-grid">
        <div>
          <div className="sec-timeline-head">
            <span className="small strong">{t('sec.rules.volume')}</span>
            {ba ? (
              <span className="muted small" data-testid="sec-rule-volume-summary">
                {t('sec.rules.volumeSummary', { total: formatFull(ba.total), suppressed: formatFull(ba.suppressed), after: formatFull(ba.total - ba.suppressed) })}
              </span>
            ) : null}
            {volume.loading ? <Spinner small /> : null}
          </div>
          {volume.error ? (
            <LoadError title={t('sec.volumeFailed')} error={volume.error} onRetry={volume.reload} />
          ) : !ba ? (
            <CardLoading style={{ height: 160 }} />
          ) : ba.total === 0 ? (
            <p className="muted small">{t('sec.rules.noVolume')}</p>
          ) : (
            <>
              <TimeChart x={ba.x} series={series} kind="bars" height={170} stepMs={volume.data!.step_ms} testid="sec-rule-volume" />
              <p className="muted small">{t('sec.rules.volumeHint')}</p>
            </>
          )}
          <div className="sig-links">
            <Link className="btn btn-small" to={signalsUrl({ rule_id: rule.id, status: 'all' }, range)} data-testid="sec-rule-signals">{t('sec.rules.signalsOfRule')}</Link>
            {isSigma(rule) ? (
              <button type="button" className="btn btn-small" onClick={() => void openSource()} disabled={opening} data-testid="sec-rule-open-source">
                {t('sec.rules.openInEditor')}
              </button>
            ) : null}
            {opening ? <Spinner small /> : null}
          </div>
          {sourceFailure ? (
            <div className="form-error" role="alert">
              {t('sec.rules.sourceFailed')}: {sourceFailure}
            </div>
          ) : null}
          {rule.file ? <p className="muted small mono wrap-anywhere">{rule.file}</p> : null}
          {isSigma(rule) && rule.state === 'loaded' ? (
            <RunOverHistory
              rule={rule}
              onDone={() => {
                volume.reload();
                onRulesChanged();
              }}
            />
          ) : null}
        </div>
        <div>
          <div className="sec-timeline-head">
            <span className="small strong">{t('sec.exc.title')}</span>
            <span className="spacer" />
            {!adding ? (
              <button type="button" className="btn btn-small btn-primary" onClick={() => setAdding(true)} data-testid="sec-rule-add-exception">
                {t('sec.exc.addButton')}
              </button>
            ) : null}
          </div>
          {adding ? (
            <ExceptionForm
              initial={{ ...EMPTY_DRAFT, rule_id: rule.id }}
              rules={[{ id: rule.id, label: rule.title }]}
              who={who}
              onWho={onWho}
              onCreated={() => {
                setAdding(false);
                onExceptionsChanged();
                volume.reload();
              }}
              onCancel={() => setAdding(false)}
              testid="sec-rule-exception-form"
            />
          ) : null}
          {exceptionsLoading ? (
            <CardLoading />
          ) : exceptions.length ? (
            <ExceptionsTable
              exceptions={exceptions}
              ruleTitle={ruleTitle}
              onDeleted={() => {
                onExceptionsChanged();
                volume.reload();
              }}
              testid="sec-rule-exc"
            />
          ) : !adding ? (
            <p className="muted small">{t('sec.rules.noExceptions')}</p>
          ) : null}
        </div>
      </div>
    </div>
  );
}

/** A loaded Sigma rule run over the last N days, its new detections stored as signals. */
function RunOverHistory({ rule, onDone }: { rule: RuleInfo; onDone: () => void }) {
  const { t } = useI18n();
  const [days, setDays] = useState(30);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [reply, setReply] = useState<RuleRunReply | null>(null);
  const run = async () => {
    if (!window.confirm(t('sec.run.confirm', { rule: rule.title, n: days }))) return;
    setBusy(true);
    setFailure(null);
    try {
      const r = await api.runRule({ rule_id: rule.id, days });
      setReply(r);
      onDone();
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="rule-run" data-testid="sec-rule-run">
      <div className="rule-editor-actions">
        <span className="small strong">{t('sec.run.title')}</span>
        <select value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label={t('sec.editor.days')} data-testid="sec-rule-run-days">
          {TEST_DAYS.map((d) => (
            <option key={d} value={d}>{t('sec.editor.lastDays', { n: d })}</option>
          ))}
        </select>
        <button type="button" className="btn btn-small" onClick={() => void run()} disabled={busy} data-testid="sec-rule-run-button">
          {t('sec.run.button')}
        </button>
        {busy ? <Spinner small label={t('sec.editor.running')} /> : null}
      </div>
      <p className="muted small">{t('sec.run.hint')}</p>
      {failure ? (
        <div className="form-error" role="alert" data-testid="sec-rule-run-error">
          {t('sec.run.failed')}: {failure}
        </div>
      ) : null}
      {reply ? (
        <div className="small" data-testid="sec-rule-run-result">
          <strong>{t('sec.run.stored', { n: formatFull(reply.stored), already: formatFull(reply.already_stored) })}</strong>
          <div className="muted">
            <RunStats run={reply.run} />
          </div>
          {reply.run.truncated ? <Truncated run={reply.run} /> : null}
        </div>
      ) : null}
    </div>
  );
}

function RunStats({ run }: { run: HistoryRun }) {
  const { t } = useI18n();
  return <>{t('sec.editor.stats', { scanned: formatFull(run.scanned), matched: formatFull(run.matched), time: formatElapsed(run.elapsed_ms) })}</>;
}

function Truncated({ run }: { run: HistoryRun }) {
  const { t } = useI18n();
  return (
    <Warning testid="sec-rule-truncated">
      {run.read_until_ms ? t('sec.editor.truncatedAt', { at: formatTimestamp(run.read_until_ms).slice(0, 19) }) : t('sec.editor.truncated')}
    </Warning>
  );
}

/** A Sigma rule's YAML tried on the stored audit events, nothing kept. */
function RuleEditor({
  sectionRef,
  yaml,
  onYaml,
  opened,
  onReset,
}: {
  sectionRef: RefObject<HTMLElement | null>;
  yaml: string;
  onYaml: (yaml: string) => void;
  opened: { ruleId: string; file: string } | null;
  onReset: () => void;
}) {
  const { t } = useI18n();
  const [days, setDays] = useState(DEFAULT_TEST_DAYS);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [result, setResult] = useState<RuleTestResult | null>(null);
  const problems = validateRuleTest({ yaml, days });
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);
  const rows = useMemo(() => matchRows(result?.run?.matches ?? []), [result]);

  const run = async () => {
    if (problems.length || busy) return;
    abort.current?.abort();
    const ac = new AbortController();
    abort.current = ac;
    setBusy(true);
    setFailure(null);
    try {
      const r = await api.testRule({ yaml, days }, ac.signal);
      if (!ac.signal.aborted) setResult(r);
    } catch (e) {
      if (!ac.signal.aborted) {
        setResult(null);
        setFailure(errorMessage(e));
      }
    } finally {
      if (!ac.signal.aborted) setBusy(false);
    }
  };

  const load = result?.load;
  const runOut = result?.run ?? null;
  return (
    <section className="card rule-editor" ref={sectionRef} data-testid="sec-rule-editor">
      <header className="card-head">
        <h2>{t('sec.editor.title')}</h2>
        <span className="muted small">{t('sec.editor.hint')}</span>
        <span className="spacer" />
        {opened ? (
          <span className="small" data-testid="sec-rule-editor-opened">
            {t('sec.editor.opened')} <span className="mono muted wrap-anywhere">{opened.file}</span>
          </span>
        ) : null}
      </header>
      <div className="rule-editor-body">
        <textarea
          className="rule-yaml"
          value={yaml}
          onChange={(e) => onYaml(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void run();
            }
          }}
          spellCheck={false}
          rows={18}
          aria-label={t('sec.editor.yaml')}
          data-testid="sec-rule-yaml"
        />
        <div className="rule-editor-actions">
          <label className="field-inline">
            <span className="muted small">{t('sec.editor.days')}</span>
            <select value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="sec-rule-days">
              {TEST_DAYS.map((d) => (
                <option key={d} value={d}>{t('sec.editor.lastDays', { n: d })}</option>
              ))}
            </select>
          </label>
          <button type="button" className="btn btn-primary" onClick={() => void run()} disabled={busy || problems.length > 0} data-testid="sec-rule-test">
            {t('sec.editor.test', { n: days })} <kbd>Ctrl+Enter</kbd>
          </button>
          <button type="button" className="btn btn-ghost" onClick={onReset} disabled={busy}>
            {t('sec.editor.template')}
          </button>
          {busy ? <Spinner small label={t('sec.editor.running')} /> : null}
          {problems.includes('yaml') ? <span className="muted small">{t('sec.editor.needYaml')}</span> : null}
        </div>
        {failure ? (
          <div className="error-panel" role="alert" data-testid="sec-rule-test-error">
            <strong>{t('sec.editor.failed')}</strong>
            <pre className="error-message">{failure}</pre>
          </div>
        ) : null}
        {result && load ? (
          <div className="rule-result" data-testid="sec-rule-result">
            <div className={`rule-load rule-load-${load.state}`} data-testid="sec-rule-load" data-state={load.state}>
              <span className={`rule-state rule-state-${load.state}`}>
                {RULE_STATES.includes(load.state as (typeof RULE_STATES)[number]) ? t(`sec.state.${load.state}` as MessageKey) : load.state}
              </span>
              {load.severity ? <SeverityBadge severity={load.severity} /> : null}
              <span>
                {load.title ? <strong>{load.title}</strong> : null}
                {load.id ? <span className="muted small mono"> {load.id}</span> : null}
                {load.kind ? <span className="muted small"> · {RULE_KINDS.includes(load.kind as (typeof RULE_KINDS)[number]) ? t(`sec.kind.${load.kind}` as MessageKey) : load.kind}</span> : null}
                {load.source ? <span className="muted small"> · {load.source}</span> : null}
              </span>
              {load.reason ? <div className="rule-reason small">{load.reason}</div> : null}
            </div>
            {runOut ? (
              <>
                <div className="rule-stats small" data-testid="sec-rule-stats">
                  <RunStats run={runOut} />
                  <span className="muted"> · {formatTime(runOut.from_ms, false)} → {formatTime(runOut.to_ms, false)}</span>
                </div>
                {runOut.truncated ? <Truncated run={runOut} /> : null}
                {rows.length ? (
                  <>
                    {runOut.matched > rows.length ? <p className="muted small">{t('sec.editor.latestMatches', { n: formatFull(rows.length), total: formatFull(runOut.matched) })}</p> : null}
                    <EventsTable events={rows.map((r) => r.event)} notes={rows.map((r) => r.note)} testid="sec-rule-matches" />
                  </>
                ) : (
                  <p className="muted small" data-testid="sec-rule-no-matches">{t('sec.editor.noMatches', { n: days })}</p>
                )}
              </>
            ) : (
              <p className="muted small">{t('sec.editor.notRun')}</p>
            )}
          </div>
        ) : null}
      </div>
    </section>
  );
}
