// The flow diagram of the network page: client task → gateway → destination
// (a lazy chunk: ECharts loads only with it).
import { useEffect, useMemo } from 'react';
import * as echarts from 'echarts/core';
import { SankeyChart as Sankey } from 'echarts/charts';
import { TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useEChart } from '../charts/useEChart';
import { formatBytes, type SankeyData } from './network';

echarts.use([Sankey, TooltipComponent, CanvasRenderer]);

export default function SankeyChart({ data, height }: { data: SankeyData; height: number }) {
  const { ref, chart, theme } = useEChart();
  const option = useMemo(() => {
    const dark = theme === 'dark';
    const text = dark ? '#e5e9f0' : '#111827';
    const bg = dark ? '#1a2130' : '#ffffff';
    return {
      backgroundColor: 'transparent',
      tooltip: {
        trigger: 'item',
        confine: true,
        backgroundColor: bg,
        textStyle: { color: text, fontSize: 12 },
        formatter: (p: { dataType?: string; data?: { source?: string; target?: string; value?: number; name?: string }; value?: number; name?: string }) =>
          p.dataType === 'edge' ? `${p.data?.source} → ${p.data?.target}<br/>${formatBytes(p.data?.value ?? 0)}` : `${p.name}<br/>${formatBytes(p.value ?? 0)}`,
      },
      series: [
        {
          type: 'sankey',
          left: 8,
          right: 290,
          top: 8,
          bottom: 8,
          nodeGap: 10,
          draggable: false,
          emphasis: { focus: 'adjacency' },
          data: data.nodes,
          links: data.links,
          label: { color: text, fontSize: 11.5, formatter: (p: { name: string }) => p.name.replace(/^(client|via|to): /, '') },
          lineStyle: { color: 'gradient', curveness: 0.5, opacity: 0.35 },
        },
      ],
    };
  }, [data, theme]);
  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [chart, option]);
  return <div ref={ref} style={{ height }} data-testid="network-sankey" role="img" aria-label="client → gateway → destination" />;
}
