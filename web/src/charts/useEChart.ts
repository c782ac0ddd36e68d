import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { useTheme } from '../theme';

/**
 * An ECharts instance on the element of the returned `ref`: it follows the
 * element's size and is re-created when the theme changes. `setup` runs on
 * each new instance (e.g. to register event handlers).
 */
export function useEChart(setup?: (c: echarts.ECharts) => void) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const setupRef = useRef(setup);
  setupRef.current = setup;
  const { theme } = useTheme();

  useEffect(() => {
    const el = ref.current!;
    const c = echarts.init(el, theme === 'dark' ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = c;
    setupRef.current?.(c);
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [theme]);

  return { ref, chart, theme };
}
