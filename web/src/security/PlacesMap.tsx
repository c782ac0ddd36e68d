// Where an identity acted, as points on a plain longitude/latitude grid (no
// map shapes are shipped): a lazy ECharts chunk.
import { useEffect, useMemo } from 'react';
import * as echarts from 'echarts/core';
import { ScatterChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useEChart } from '../charts/useEChart';
import { pointSize, type PlacePoint } from './identity';

echarts.use([ScatterChart, GridComponent, TooltipComponent, CanvasRenderer]);

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export default function PlacesMap({ points, height, labels }: { points: PlacePoint[]; height: number; labels: { events: string; failures: string } }) {
  const { ref, chart, theme } = useEChart();
  const option = useMemo(() => {
    const dark = theme === 'dark';
    const text = dark ? '#e5e9f0' : '#111827';
    const muted = dark ? '#8b95a7' : '#6b7280';
    const grid = dark ? 'rgba(148,163,184,0.16)' : 'rgba(100,116,139,0.18)';
    const bg = dark ? '#1a2130' : '#ffffff';
    const max = Math.max(0, ...points.map((p) => p.value[2]));
    const deg = (v: number, pos: string, neg: string) => (v === 0 ? '0°' : `${Math.abs(v)}°${v > 0 ? pos : neg}`);
    return {
      backgroundColor: 'transparent',
      grid: { left: 44, right: 16, top: 10, bottom: 26 },
      tooltip: {
        trigger: 'item',
        confine: true,
        backgroundColor: bg,
        textStyle: { color: text, fontSize: 12 },
        formatter: (p: { data?: { name: string; value: [number, number, number]; failures: number; ips: string[] } }) =>
          p.data
            ? `<b>${esc(p.data.name)}</b><br/>${esc(p.data.ips.join(', '))}<br/>${esc(labels.events)}: ${p.data.value[2].toLocaleString('en-US')} · ${esc(labels.failures)}: ${p.data.failures.toLocaleString('en-US')}`
            : '',
      },
      xAxis: {
        type: 'value',
        min: -180,
        max: 180,
        interval: 60,
        axisLabel: { color: muted, fontSize: 10.5, formatter: (v: number) => deg(v, 'E', 'W') },
        splitLine: { lineStyle: { color: grid } },
        axisLine: { show: false },
        axisTick: { show: false },
      },
      yAxis: {
        type: 'value',
        min: -90,
        max: 90,
        interval: 30,
        axisLabel: { color: muted, fontSize: 10.5, formatter: (v: number) => deg(v, 'N', 'S') },
        splitLine: { lineStyle: { color: grid } },
        axisLine: { show: false },
        axisTick: { show: false },
      },
      series: [
        {
          type: 'scatter',
          data: points.map((p) => ({ ...p, symbolSize: pointSize(p.value[2], max), itemStyle: { color: p.failures > 0 ? '#ef4444' : '#3b82f6', opacity: 0.85, borderColor: bg, borderWidth: 1 } })),
          label: { show: true, position: 'right', color: text, fontSize: 11, formatter: (p: { data?: { name?: string } }) => p.data?.name ?? '' },
        },
      ],
    };
  }, [points, theme, labels]);

  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [chart, option]);

  return <div ref={ref} style={{ height, width: '100%' }} data-testid="identity-places-map" role="img" aria-label="places" />;
}
