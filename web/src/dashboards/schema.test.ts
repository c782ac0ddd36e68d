import { describe, expect, it } from 'vitest';
import { emptyDashboard, newWidgetId, nextRow, placeWidget, SCHEMA_VERSION, toStored, validateDashboard } from './schema';
import serviceOverview from '../../templates/service-overview.json';
import customerSupport from '../../templates/customer-support.json';

const widget = (over: Record<string, unknown> = {}) => ({
  id: 'w1',
  type: 'timeseries',
  title: 'x',
  layout: { x: 0, y: 0, w: 6, h: 4 },
  query: { dataset: 'logs', filter: '', measure: { op: 'count' }, group_by: [] },
  ...over,
});

const errorsOf = (d: unknown) => {
  const r = validateDashboard(d);
  return r.ok ? [] : r.errors;
};

describe('validateDashboard', () => {
  it('accepts a minimal dashboard and fills defaults', () => {
    const r = validateDashboard({ title: ' Ops ', widgets: [] });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.dashboard).toEqual({ schema_version: SCHEMA_VERSION, title: 'Ops', variables: [], widgets: [] });
  });
  it('keeps server fields and round-trips toStored', () => {
    const r = validateDashboard({ id: 'abc', created_at: 1, updated_at: 2, title: 'T', widgets: [widget()] });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.dashboard.id).toBe('abc');
      expect(toStored(r.dashboard)).not.toHaveProperty('id');
      expect(toStored(r.dashboard)).not.toHaveProperty('updated_at');
    }
  });
  it('requires a title and a widgets array', () => {
    expect(errorsOf({ widgets: [] })).toContain('title: expected a non-empty string');
    expect(errorsOf({ title: 'x' })).toContain('widgets: expected an array');
    expect(errorsOf([])).toEqual(['dashboard: expected a JSON object']);
  });
  it('rejects newer schema versions', () => {
    expect(errorsOf({ schema_version: 99, title: 'x', widgets: [] })[0]).toMatch(/newer/);
  });
  it('checks widget types, layout and queries', () => {
    expect(errorsOf({ title: 'x', widgets: [widget({ type: 'pie' })] })[0]).toMatch(/type/);
    expect(errorsOf({ title: 'x', widgets: [widget({ layout: { x: 10, y: 0, w: 6, h: 4 } })] })[0]).toMatch(/x \+ w/);
    expect(errorsOf({ title: 'x', widgets: [widget({ query: undefined })] })[0]).toMatch(/needs a query/);
    expect(errorsOf({ title: 'x', widgets: [widget({ query: { dataset: 'logs', measure: { op: 'avg' } } })] })[0]).toMatch(/needs a field/);
    expect(errorsOf({ title: 'x', widgets: [widget({ query: { dataset: 'logs', measure: { op: 'median' } } })] })[0]).toMatch(/measure.op/);
    expect(errorsOf({ title: 'x', widgets: [widget({ type: 'toplist' })] })[0]).toMatch(/one field/);
    expect(errorsOf({ title: 'x', widgets: [widget({ type: 'value', query: { dataset: 'logs', measure: { op: 'count' }, group_by: ['a'] } })] })[0]).toMatch(/no group by/);
    expect(errorsOf({ title: 'x', widgets: [widget({ query: { dataset: 'logs', measure: { op: 'count' }, group_by: ['a', 'b'] } })] })[0]).toMatch(/group_by/);
    expect(errorsOf({ title: 'x', widgets: [widget({ type: 'note', query: undefined })] })[0]).toMatch(/markdown/);
    expect(errorsOf({ title: 'x', widgets: [widget({ query: { sql: '  ' } })] })[0]).toMatch(/sql/);
    expect(errorsOf({ title: 'x', widgets: [widget({ query: { dataset: 'logs', columns: ['a'] } })] })[0]).toMatch(/only for table/);
    expect(errorsOf({ title: 'x', widgets: [widget(), widget()] })[0]).toMatch(/used twice/);
  });
  it('checks variables', () => {
    expect(errorsOf({ title: 'x', widgets: [], variables: [{ name: '1x', dataset: 'logs', field: 'a' }] })[0]).toMatch(/name/);
    expect(errorsOf({ title: 'x', widgets: [], variables: [{ name: '__x', dataset: 'logs', field: 'a' }] })[0]).toMatch(/reserved/);
    const dup = { name: 'a', dataset: 'logs', field: 'a' };
    expect(errorsOf({ title: 'x', widgets: [], variables: [dup, dup] })[0]).toMatch(/twice/);
    const r = validateDashboard({ title: 'x', widgets: [], variables: [{ name: 'env', dataset: 'logs', field: 'env' }] });
    expect(r.ok && r.dashboard.variables[0].default).toBe('*');
  });
  it('accepts SQL, events and note widgets', () => {
    const r = validateDashboard({
      title: 'x',
      widgets: [
        widget({ id: 'a', query: { sql: 'SELECT 1' } }),
        widget({ id: 'b', type: 'table', query: { dataset: 'logs', filter: 'level:error', columns: ['timestamp', 'body'], limit: 10 } }),
        widget({ id: 'c', type: 'note', query: undefined, markdown: '# hi' }),
      ],
    });
    expect(r.ok).toBe(true);
  });
  it('validates both templates; service overview has 8 widgets and the variables', () => {
    for (const tpl of [serviceOverview, customerSupport]) {
      const r = validateDashboard(tpl);
      expect(r.ok ? [] : r.errors).toEqual([]);
    }
    const r = validateDashboard(serviceOverview);
    if (!r.ok) throw new Error('invalid');
    expect(r.dashboard.widgets).toHaveLength(8);
    expect(r.dashboard.variables.map((v) => v.name)).toEqual(['service', 'env']);
    const types = new Set(r.dashboard.widgets.map((w) => w.type));
    expect(types).toEqual(new Set(['value', 'note', 'timeseries', 'toplist', 'table']));
    // No overlapping widgets.
    const cells = new Set<string>();
    for (const w of r.dashboard.widgets)
      for (let x = w.layout.x; x < w.layout.x + w.layout.w; x++)
        for (let y = w.layout.y; y < w.layout.y + w.layout.h; y++) {
          expect(cells.has(`${x},${y}`), `${w.id} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
  });
  it('helps place new widgets', () => {
    const d = emptyDashboard('x');
    expect(validateDashboard(d).ok).toBe(true);
    expect(nextRow([{ layout: { x: 0, y: 2, w: 6, h: 4 } }])).toBe(6);
    expect(newWidgetId([{ id: 'w1' }, { id: 'w2' }])).toBe('w3');
    expect(placeWidget([], 6, 4)).toEqual({ x: 0, y: 0, w: 6, h: 4 });
    expect(placeWidget([{ layout: { x: 0, y: 0, w: 6, h: 4 } }], 6, 4)).toEqual({ x: 6, y: 0, w: 6, h: 4 });
    expect(placeWidget([{ layout: { x: 0, y: 0, w: 6, h: 4 } }, { layout: { x: 6, y: 0, w: 6, h: 2 } }], 6, 4)).toEqual({ x: 6, y: 2, w: 6, h: 4 });
    expect(placeWidget([{ layout: { x: 0, y: 0, w: 12, h: 3 } }], 4, 2)).toEqual({ x: 0, y: 3, w: 4, h: 2 });
  });
});
