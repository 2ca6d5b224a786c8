import { describe, expect, it } from 'vitest';
import { qualityGate } from './quality-gate.ts';

describe('quality gate', () => {
  it('passes when every check passes and the unknown rate is at or below the limit', () => {
    expect(qualityGate({ checksPassed: true, unknownRate: 0.05, unknownRateLimit: 0.05 })).toMatchObject({ passed: true, reasons: [] });
    expect(qualityGate({ checksPassed: true, unknownRate: 0.0501, unknownRateLimit: 0.05 }).reasons).toEqual(['unknown rate 5.01% is above the limit of 5.00%']);
    expect(qualityGate({ checksPassed: false, unknownRate: 0, unknownRateLimit: 0.05 })).toMatchObject({ passed: false, reasons: ['an integrity check failed'] });
  });
});
