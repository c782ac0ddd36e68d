import { useMemo } from 'react';
import EChart from '../charts/EChart';
import { PALETTE } from '../charts/palette';
import { formatCompact } from '../charts/format';
import { formatTime } from '../time/range';
import type { ChartData } from './result';

/** The SQL result as an ECharts line (time) or bar chart. */
export default function ResultChart({ data, height = 320 }: { data: ChartData; height?: number }) {
  const option = useMemo(() => {
    const line = data.kind === 'line';
    return {
      color: PALETTE,
      animation: false,
      tooltip: { trigger: 'axis', confine: true },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: line
        ? { type: 'time', axisLabel: { formatter: (v: number) => formatTime(v, false) } }
        : { type: 'category', data: data.x, axisLabel: { interval: 'auto', hideOverlap: true, width: 120, overflow: 'truncate' } },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatCompact(v) } },
      series: data.series.map((s) => ({
        name: s.name,
        type: line ? 'line' : 'bar',
        showSymbol: false,
        connectNulls: false,
        data: line ? s.data.map((v, i) => [data.x[i], v]) : s.data,
      })),
    };
  }, [data]);
  return <EChart option={option} height={height} testid="sql-chart" />;
}
