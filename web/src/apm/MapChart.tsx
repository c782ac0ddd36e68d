// The service map's ECharts graph (a lazy chunk: ECharts loads only here and
// in the SQL chart).
import { useEffect, useMemo, useRef } from 'react';
import * as echarts from 'echarts/core';
import { GraphChart } from 'echarts/charts';
import { LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useEChart } from '../charts/useEChart';
import type { Graph } from './map';

echarts.use([GraphChart, TooltipComponent, LegendComponent, CanvasRenderer]);

export type MapLayout = 'force' | 'circular';

export default function MapChart({ graph, layout, height, onNodeClick }: { graph: Graph; layout: MapLayout; height: number; onNodeClick: (id: string) => void }) {
  const clickRef = useRef(onNodeClick);
  clickRef.current = onNodeClick;
  const { ref, chart, theme } = useEChart((c) => {
    c.on('click', (p) => {
      const params = p as { dataType?: string; data?: { id?: string } };
      if (params.dataType === 'node' && params.data?.id) clickRef.current(params.data.id);
    });
  });

  const option = useMemo(() => {
    // The theme's --text, --text-muted and --bg-elevated (read as constants: the
    // data-theme attribute changes after this renders).
    const dark = theme === 'dark';
    const text = dark ? '#e5e9f0' : '#111827';
    const muted = dark ? '#8b95a7' : '#6b7280';
    const bg = dark ? '#1a2130' : '#ffffff';
    const n = graph.nodes.length;
    return {
      backgroundColor: 'transparent',
      animationDurationUpdate: 400,
      tooltip: {
        trigger: 'item',
        confine: true,
        backgroundColor: bg,
        textStyle: { color: text, fontSize: 12 },
        formatter: (p: { data?: { tip?: string } }) => p.data?.tip ?? '',
      },
      series: [
        {
          type: 'graph',
          layout,
          roam: true,
          zoom: layout === 'force' && n > 20 ? 0.85 : 1,
          draggable: layout === 'force',
          force: { repulsion: n <= 10 ? 420 : n <= 20 ? 300 : 240, edgeLength: n <= 10 ? [90, 200] : [60, 150], gravity: n <= 10 ? 0.08 : 0.1, friction: 0.2, layoutAnimation: true },
          circular: { rotateLabel: n > 12 },
          edgeSymbol: ['none', 'arrow'],
          edgeSymbolSize: [0, 8],
          label: { show: true, position: 'bottom', color: text, fontSize: 11.5, distance: 4 },
          edgeLabel: { show: false, fontSize: 10.5, color: muted, formatter: (p: { data?: { edgeText?: string } }) => p.data?.edgeText ?? '' },
          emphasis: { focus: 'adjacency', lineStyle: { opacity: 1 }, edgeLabel: { show: true } },
          lineStyle: { curveness: 0.12 },
          data: graph.nodes.map((g) => ({
            id: g.id,
            name: g.name,
            value: g.value,
            symbol: g.symbol,
            symbolSize: g.kind === 'database' ? [g.symbolSize * 0.8, g.symbolSize] : g.symbolSize,
            itemStyle: g.itemStyle,
            tip: g.tip,
            cursor: g.kind === 'service' && !g.virtual ? 'pointer' : 'default',
            label: g.virtual ? { color: muted } : undefined,
          })),
          links: graph.links.map((l) => ({ source: l.source, target: l.target, value: l.value, lineStyle: l.lineStyle, edgeText: l.label, tip: l.tip })),
        },
      ],
    };
  }, [graph, layout, theme]);

  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);

  return <div ref={ref} style={{ height, width: '100%' }} data-testid="service-map-graph" />;
}
