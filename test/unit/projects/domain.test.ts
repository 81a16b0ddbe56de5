import { describe, expect, it } from 'vitest';
import { type ProjectJobRecord, projectJobStatus } from '../../../shared/domain/predict-job.js';
import { defaultPartitionOf, inSubset, partitionOfValue } from '../../../shared/domain/project.js';
import { predictionRows } from '../../../shared/use-cases/predict-jobs/prediction-rows.js';
import { readCsvTable, writeCsvTable } from '../../../shared/use-cases/projects/csv-table.js';

const job: ProjectJobRecord = {
  number: 1,
  ownerId: 'o',
  projectId: 'p',
  modelId: 'm',
  kind: 'predict',
  batchJobId: 'b',
  resultId: 'r',
  datasetId: 'd',
  dataSubset: null,
  cancelled: false,
  resultStored: false,
  created: '2025-01-01T00:00:00.000Z',
};

describe('project job status', () => {
  it('maps batch statuses to the exact values the client accepts', () => {
    expect(projectJobStatus('INITIALIZING', job)).toBe('queue');
    expect(projectJobStatus('RUNNING', job)).toBe('inprogress');
    expect(projectJobStatus('COMPLETED', job)).toBe('inprogress');
    expect(projectJobStatus('COMPLETED', { ...job, resultStored: true })).toBe('COMPLETED');
    expect(projectJobStatus('ABORTED', job)).toBe('error');
    expect(projectJobStatus('ABORTED', { ...job, cancelled: true })).toBe('ABORTED');
  });
});

describe('partitions', () => {
  it('follows the documented default rule and reads partition values case-insensitively', () => {
    expect(Array.from({ length: 10 }, (_, i) => defaultPartitionOf(i))).toEqual([
      'Training',
      'Training',
      'Training',
      '0.0',
      'Holdout',
      'Training',
      'Training',
      'Training',
      '0.0',
      'Holdout',
    ]);
    expect(['HOLDOUT', ' Validation ', 'train', ''].map(partitionOfValue)).toEqual([
      'Holdout',
      '0.0',
      'Training',
      'Training',
    ]);
    expect(inSubset('validationAndHoldout', 'Training')).toBe(false);
    expect(inSubset('validationAndHoldout', '0.0')).toBe(true);
    expect(inSubset('holdout', '0.0')).toBe(false);
    expect(inSubset('all', 'Training')).toBe(true);
  });
});

describe('CSV tables and batch output rows', () => {
  it('round-trips quoted fields and refuses ragged rows', () => {
    const table = {
      header: ['a', 'b'],
      rows: [
        ['x, "y"', 'line\nbreak'],
        ['', '2'],
      ],
    };
    expect(readCsvTable(writeCsvTable(table))).toEqual(table);
    expect(() => readCsvTable(Buffer.from('a,b\n1\n'))).toThrow(
      /data row 1 has 1 fields but the header has 2/,
    );
    expect(() => readCsvTable(Buffer.from(''))).toThrow(/empty/);
  });

  it('reads regression and multiclass outputs into DataRobot rows', () => {
    const regression = readCsvTable(Buffer.from('price_PREDICTION\n1.5\n-2\n'));
    const summary = {
      targetName: 'price',
      targetType: 'Regression' as const,
      classLabels: [],
      positiveClass: null,
      predictionThreshold: 0.5,
      inputs: [],
    };
    expect(predictionRows(regression, summary)).toEqual([
      { prediction: 1.5, predictionValues: [{ label: 'price', value: 1.5 }] },
      { prediction: -2, predictionValues: [{ label: 'price', value: -2 }] },
    ]);
    const multiclass = readCsvTable(
      Buffer.from('k_a_PREDICTION,k_b_PREDICTION,k_c_PREDICTION,k_PREDICTION\n0.2,0.5,0.3,b\n'),
    );
    const rows = predictionRows(multiclass, {
      ...summary,
      targetName: 'k',
      targetType: 'Multiclass',
      classLabels: ['a', 'b', 'c'],
    });
    expect(rows).toEqual([
      {
        prediction: 'b',
        predictionValues: [
          { label: 'a', value: 0.2 },
          { label: 'b', value: 0.5 },
          { label: 'c', value: 0.3 },
        ],
      },
    ]);
  });
});
