/** A tiny SVG line of values (no chart library needed). */
export function Sparkline({ values, color = 'var(--accent)', width = 120, height = 28, label }: { values: (number | null)[]; color?: string; width?: number; height?: number; label?: string }) {
  const nums = values.map((v) => v ?? 0);
  const max = Math.max(1, ...nums);
  const n = nums.length;
  if (n === 0) return <svg width={width} height={height} aria-hidden />;
  const step = n > 1 ? width / (n - 1) : width;
  const pts = nums.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`);
  const area = `0,${height} ${pts.join(' ')} ${((n - 1) * step).toFixed(1)},${height}`;
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} className="sparkline">
      <polygon points={area} fill={color} opacity="0.15" />
      <polyline points={pts.join(' ')} fill="none" stroke={color} strokeWidth="1.5" strokeLinejoin="round" />
    </svg>
  );
}
