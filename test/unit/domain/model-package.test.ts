import { describe, expect, it } from 'vitest';
import { ModelPackageRecordSchema, modelObjectKey } from '../../../shared/domain/model-package.js';

const record = {
  id: 'abc',
  ownerId: 'u',
  name: 'churn',
  status: 'READY',
  statusDetails: 'ok',
  manifest: { targetName: 't' },
  objectKey: modelObjectKey('abc'),
  sizeBytes: 10,
  summary: {
    targetName: 't',
    targetType: 'Regression',
    classLabels: [],
    positiveClass: null,
    predictionThreshold: 0.5,
    inputs: [{ name: 'x', type: 'float32', columns: ['x'] }],
  },
  created: '2025-01-01T00:00:00.000Z',
};

describe('ModelPackageRecordSchema', () => {
  it('accepts a READY package and keys its file under models/<id>/', () => {
    expect(ModelPackageRecordSchema.parse(record)).toEqual(record);
    expect(record.objectKey).toBe('models/abc/model.onnx');
  });

  it('rejects unknown statuses and target types, and stray fields', () => {
    expect(ModelPackageRecordSchema.safeParse({ ...record, status: 'DONE' }).success).toBe(false);
    const badSummary = { ...record.summary, targetType: 'Binomial' };
    expect(ModelPackageRecordSchema.safeParse({ ...record, summary: badSummary }).success).toBe(false);
    expect(ModelPackageRecordSchema.safeParse({ ...record, extra: 1 }).success).toBe(false);
  });
});
