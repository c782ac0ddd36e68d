// The AssumeRole chain around an identity as a directed graph, left to right
// (a lazy chunk: ECharts loads only with it). Clicking a node opens it.
import { useEffect, useMemo, useRef } from 'react';
import * as echarts from 'echarts/core';
import { GraphChart } from 'echarts/charts';
import { TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useEChart } from '../charts/useEChart';
import { formatTime } from '../time/range';
import { ACTOR_COLORS, type ChainLayout } from './identity';

echarts.use([GraphChart, TooltipComponent, CanvasRenderer]);

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export default function ChainChart({
  layout,
  height,
  labels,
  onNodeClick,
}: {
  layout: ChainLayout;
  height: number;
  labels: { how: (how: string) => string; kind: (kind: string) => string; times: (n: number) => string };
  onNodeClick: (id: string) => void;
}) {
  const clickRef = useRef(onNodeClick);
  clickRef.current = onNodeClick;
  const { ref, chart, theme } = useEChart((c) => {
    c.on('click', (p) => {
      const params = p as { dataType?: string; data?: { id?: string; focus?: boolean; anchor?: boolean } };
      if (params.dataType === 'node' && params.data?.id && !params.data.focus && !params.data.anchor) clickRef.current(params.data.id);
    });
  });

  const option = useMemo(() => {
    const dark = theme === 'dark';
    const text = dark ? '#e5e9f0' : '#111827';
    const muted = dark ? '#8b95a7' : '#6b7280';
    const bg = dark ? '#1a2130' : '#ffffff';
    const edge = dark ? '#64748b' : '#94a3b8';
    return {
      backgroundColor: 'transparent',
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
          layout: 'none',
          roam: true,
          nodeScaleRatio: 0,
          left: 20,
          right: 20,
          top: 24,
          bottom: 30,
          edgeSymbol: ['none', 'arrow'],
          edgeSymbolSize: [0, 9],
          label: { show: true, position: 'bottom', color: text, fontSize: 11.5, distance: 5, width: 200, overflow: 'truncate' },
          edgeLabel: { show: true, fontSize: 10.5, color: muted, formatter: (p: { data?: { text?: string } }) => p.data?.text ?? '' },
          lineStyle: { color: edge, width: 1.6, curveness: 0.08, opacity: 0.9 },
          emphasis: { focus: 'adjacency', lineStyle: { width: 2.4 } },
          data: [
            // Invisible corners: the view fits them, not just the nodes.
            ...layout.frame.map(([x, y], i) => ({ id: `\u0000frame${i}`, name: '', x, y, anchor: true, symbolSize: 0, silent: true, label: { show: false }, tooltip: { show: false } })),
            ...layout.nodes.map((n) => ({
            id: n.id,
            name: n.label,
            x: n.x,
            y: n.y,
            focus: n.focus,
            symbol: n.kind === 'role' ? 'roundRect' : n.kind === 'person' || n.kind === 'iam_user' || n.kind === 'root' ? 'circle' : 'diamond',
            symbolSize: n.focus ? 34 : 24,
            itemStyle: { color: ACTOR_COLORS[n.kind], borderColor: n.focus ? text : bg, borderWidth: n.focus ? 3 : 1.5 },
            label: n.focus ? { fontWeight: 'bold' } : undefined,
            cursor: n.focus ? 'default' : 'pointer',
            tip: `<b>${esc(n.label)}</b> · ${esc(labels.kind(n.kind))}<br/><span style="opacity:.75">${esc(n.id)}</span>`,
            })),
          ],
          links: layout.links.map((l) => ({
            source: l.source,
            target: l.target,
            text: `${labels.how(l.how)} · ${labels.times(l.count)}`,
            lineStyle: l.how === 'signed_in_as' ? { type: 'dashed' } : undefined,
            tip: `${esc(labels.how(l.how))} · ${esc(labels.times(l.count))}<br/>${formatTime(l.first_seen_ms, false)} → ${formatTime(l.last_seen_ms, false)}`,
          })),
        },
      ],
    };
  }, [layout, theme, labels]);

  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [chart, option]);

  return <div ref={ref} style={{ height, width: '100%' }} data-testid="identity-chain-graph" />;
}
