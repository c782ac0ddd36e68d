import { useEffect } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';
import { useEChart } from './useEChart';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** An ECharts instance that follows its box's size and the theme. */
export default function EChart({ option, height, testid }: { option: EChartsCoreOption; height: number; testid?: string }) {
  const { ref, chart, theme } = useEChart();

  useEffect(() => {
    chart.current?.setOption({ backgroundColor: 'transparent', ...option }, true);
  }, [option, theme]);

  return <div ref={ref} style={{ height, width: '100%' }} data-testid={testid} />;
}
