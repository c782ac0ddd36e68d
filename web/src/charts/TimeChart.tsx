import { useEffect, useRef } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useTheme, cssVar } from '../theme';
import { formatCompact, timeTicks } from './format';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
}

interface Props {
  /** Bucket starts, epoch ms. */
  x: number[];
  series: ChartSeries[];
  kind: 'bars' | 'lines';
  stacked?: boolean;
  /** Total height in px (legend included); omitted: fill the parent's height. */
  height?: number;
  /** Called with the dragged range (ms); enables drag-to-zoom. */
  onZoom?: (fromMs: number, toMs: number) => void;
  /** Bucket width (ms), so the last bar is shown whole. */
  stepMs?: number;
  /** Full x range to show (ms). */
  xRange?: [number, number];
  legend?: boolean;
  unit?: string;
  testid?: string;
}

/** A uPlot time chart (bars or lines) that follows the theme and its box's width. */
export function TimeChart({ x, series, kind, stacked, height, onZoom, stepMs, xRange, legend = true, unit, testid }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const zoomRef = useRef(onZoom);
  zoomRef.current = onZoom;
  const { theme } = useTheme();

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const axis = cssVar('--text-muted', '#6b7280');
    const grid = cssVar('--grid', 'rgba(128,128,128,0.15)');
    const color = (c: string) => (c.startsWith('var(') ? cssVar(c.slice(4, -1)) : c);
    const raw = series.map((s) => s.values);
    // Stacked bars: draw cumulative sums, the topmost (total) first.
    let data: (number | null)[][] = raw;
    let order = series.map((_, i) => i);
    if (stacked && kind === 'bars' && series.length > 1) {
      const acc = new Array(x.length).fill(0);
      data = raw.map((vals) => vals.map((v, j) => (acc[j] += v ?? 0)));
      order = order.reverse();
    }
    const bars = uPlot.paths.bars!({ size: [0.85, 64], gap: 1, align: 1 });
    const fmtUnit = (v: number) => formatCompact(v) + (unit ? ` ${unit}` : '');
    const total = () => height ?? Math.max(80, el.clientHeight);
    const opts: Options = {
      width: el.clientWidth || 600,
      height: total(),
      ms: 1,
      padding: [8, 8, 0, 0],
      legend: { show: legend && series.length > 0, live: true },
      cursor: {
        drag: { x: !!onZoom, y: false, setScale: false },
        points: { show: kind === 'lines' },
      },
      scales: {
        x: {
          time: true,
          range: (_u, min, max) => {
            if (xRange) return [xRange[0], xRange[1]];
            return [min, max + (kind === 'bars' && stepMs ? stepMs : 0)];
          },
        },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
      },
      axes: [
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid, width: 1 },
          font: '11px system-ui, sans-serif',
          values: (_u, splits, _ai, _space, incr) => timeTicks(splits, incr),
        },
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { show: false },
          size: 48,
          font: '11px system-ui, sans-serif',
          values: (_u, vals) => vals.map((v) => formatCompact(v)),
        },
      ],
      series: [
        { label: '' },
        ...order.map((i) => ({
          label: series[i].label,
          stroke: color(series[i].color),
          fill: kind === 'bars' ? color(series[i].color) : undefined,
          width: kind === 'bars' ? 0 : 1.6,
          paths: kind === 'bars' ? bars : undefined,
          points: { show: false },
          spanGaps: false,
          value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) =>
            idx === null ? '' : raw[i][idx] === null || raw[i][idx] === undefined ? '–' : fmtUnit(raw[i][idx] as number),
        })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            const w = u.select.width;
            if (w > 4 && zoomRef.current) {
              const a = u.posToVal(u.select.left, 'x');
              const b = u.posToVal(u.select.left + w, 'x');
              zoomRef.current(Math.floor(a), Math.ceil(b));
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
      },
    };
    const aligned = [x, ...order.map((i) => data[i])] as AlignedData;
    const plot = new uPlot(opts, aligned, el);
    plotRef.current = plot;
    // `height` is the whole box: the legend takes its share of it.
    const plotHeight = () => {
      const lg = plot.root.querySelector('.u-legend') as HTMLElement | null;
      return Math.max(50, total() - (lg && lg.offsetParent !== null ? lg.offsetHeight : 0));
    };
    plot.setSize({ width: plot.width, height: plotHeight() });
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      const h = plotHeight();
      if (w > 0 && (Math.abs(w - plot.width) > 1 || Math.abs(h - plot.height) > 1)) plot.setSize({ width: w, height: h });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
      plotRef.current = null;
    };
    // Recreate on data/theme change: simple and cheap at these sizes.
  }, [x, series, kind, stacked, height, theme, stepMs, xRange, legend, unit, !!onZoom]);

  const cls = `timechart${onZoom ? ' zoomable' : ''}${series.length <= 1 ? ' single-series' : ''}${stacked && kind === 'bars' && series.length > 1 ? ' stacked' : ''}`;
  return <div className={cls} ref={ref} data-testid={testid} style={height ? { height } : { flex: 1, minHeight: 0 }} />;
}

