import { describe, expect, it } from 'vitest';
import {
  canTransition,
  initialJobRecord,
  isTerminal,
  JobRecordSchema,
  type JobStatus,
  JobStatusSchema,
  percentageCompleted,
} from '../../../shared/domain/job.js';

const ALL: readonly JobStatus[] = JobStatusSchema.options;

describe('job status transitions', () => {
  it.each([
    ['INITIALIZING', 'RUNNING'],
    ['INITIALIZING', 'ABORTED'],
    ['RUNNING', 'COMPLETED'],
    ['RUNNING', 'ABORTED'],
  ] as const)('allows %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it('allows exactly those four moves among all pairs of statuses', () => {
    const allowed = ALL.flatMap((from) =>
      ALL.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed).toEqual([
      'INITIALIZING->RUNNING',
      'INITIALIZING->ABORTED',
      'RUNNING->COMPLETED',
      'RUNNING->ABORTED',
    ]);
  });

  it.each(['COMPLETED', 'ABORTED'] as const)('never leaves the terminal status %s', (terminal) => {
    expect(isTerminal(terminal)).toBe(true);
    expect(ALL.filter((to) => canTransition(terminal, to))).toEqual([]);
  });

  it('skips no step: INITIALIZING cannot complete without running, RUNNING cannot go back', () => {
    expect(canTransition('INITIALIZING', 'COMPLETED')).toBe(false);
    expect(canTransition('RUNNING', 'INITIALIZING')).toBe(false);
    expect(canTransition('RUNNING', 'RUNNING')).toBe(false);
  });
});

describe('initialJobRecord', () => {
  it('starts INITIALIZING with no progress at version 1, and is a valid record', () => {
    const job = initialJobRecord({
      id: 'j1',
      ownerId: 'u1',
      deploymentId: 'd1',
      modelVersionId: 'm1',
      spec: { numConcurrent: 4 },
      created: '2026-01-02T03:04:05.678Z',
    });

    expect(job).toMatchObject({ status: 'INITIALIZING', scoredRows: 0, chunksDone: 0, logs: [], version: 1 });
    expect(job.jobIntakeSize).toBeNull();
    expect(JobRecordSchema.parse(job)).toEqual(job);
  });

  it('rejects timestamps that would not sort as strings (non-UTC offsets)', () => {
    const job = initialJobRecord({
      id: 'j1',
      ownerId: 'u1',
      deploymentId: 'd1',
      modelVersionId: 'm1',
      spec: {},
      created: '2026-01-02T03:04:05+02:00',
    });
    expect(JobRecordSchema.safeParse(job).success).toBe(false);
  });
});

describe('percentageCompleted', () => {
  it('is the share of chunks done, rounded to hundredths', () => {
    expect(percentageCompleted('RUNNING', 1, 3)).toBe(33.33);
    expect(percentageCompleted('RUNNING', 0, 0)).toBe(0);
  });

  it('is 100 once COMPLETED, even for an input with no chunks', () => {
    expect(percentageCompleted('COMPLETED', 0, 0)).toBe(100);
  });
});
