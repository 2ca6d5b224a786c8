import { describe, expect, it } from 'vitest';
import { filterModelSchema } from '../../../../engine/contract/index.ts';
import { isOn, QUICK_FILTERS, toggle } from './QuickFilters.tsx';

const [fresh, changed, overdue] = QUICK_FILTERS;

describe('quick filters', () => {
  it('set their part of the filter model, valid for the engine, and clear it when pressed again', () => {
    const picked = { field: { filterType: 'set' as const, values: ['Notional'] } };
    const on = toggle(picked, overdue!);
    expect(on).toEqual({ ...picked, pastSla: { filterType: 'number', type: 'greaterThan', filter: 0 } });
    expect(filterModelSchema.safeParse(on).success).toBe(true);
    expect(isOn(on, overdue!)).toBe(true);
    expect(toggle(on, overdue!)).toEqual(picked);
  });

  it('"New today" and "Changed" replace each other on the lifecycle', () => {
    const a = toggle({}, fresh!);
    expect(a).toEqual({ lifecycle: { filterType: 'set', values: ['NEW'] } });
    const b = toggle(a, changed!);
    expect(b).toEqual({ lifecycle: { filterType: 'set', values: ['CHANGED'] } });
    expect([isOn(b, fresh!), isOn(b, changed!)]).toEqual([false, true]);
    expect(filterModelSchema.safeParse(b).success).toBe(true);
  });
});
