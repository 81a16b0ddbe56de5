import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors.js';
import {
  definitionAsInput,
  dropKeyPrefix,
  dropOwnerOf,
  newDefinitionRecord,
  parseDefinitionSettings,
} from '../../../shared/domain/job-definition.js';

const DEPLOYMENT = '5dc5b1015e6e762a6241f9aa';
const SCHEDULE = { minute: [0], hour: [1], dayOfMonth: ['*'], month: ['*'], dayOfWeek: ['*'] };

function problemsOf(body: unknown): { field: string; message: string }[] {
  try {
    parseDefinitionSettings(body);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('job definition bodies', () => {
  it('takes what the Python client sends: the spec flattened, `schedule: {}` for none, name optional', () => {
    const settings = parseDefinitionSettings({
      enabled: false,
      schedule: {},
      numConcurrent: 1,
      deploymentId: DEPLOYMENT,
      intakeSettings: { type: 'localFile' },
      outputSettings: { type: 'localFile' },
    });
    expect(settings).toMatchObject({ name: undefined, enabled: false, schedule: null, trigger: null });
    expect(settings.spec).toMatchObject({ deploymentId: DEPLOYMENT, numConcurrent: 1, chunkSize: 'auto' });
    expect(settings.spec).not.toHaveProperty('schedule');
  });

  it('names the failing field: name, schedule, unknown keys, job spec rules', () => {
    expect(problemsOf({ deploymentId: DEPLOYMENT, name: 'x'.repeat(101) })[0]?.field).toBe('name');
    expect(problemsOf({ deploymentId: DEPLOYMENT, schedule: { minute: [0] } }).map((p) => p.field)).toContain(
      'schedule.hour',
    );
    expect(problemsOf({ deploymentId: DEPLOYMENT, colour: 'red' })[0]).toEqual({
      field: 'colour',
      message: 'unknown field',
    });
    expect(problemsOf({ name: 'no deployment' })[0]?.field).toBe('deploymentId');
  });

  it('refuses an enabled schedule on localFile intake, which no scheduled run can feed', () => {
    expect(problemsOf({ deploymentId: DEPLOYMENT, enabled: true, schedule: SCHEDULE })[0]?.field).toBe(
      'intakeSettings.type',
    );
    expect(
      parseDefinitionSettings({ deploymentId: DEPLOYMENT, enabled: false, schedule: SCHEDULE }).schedule,
    ).toEqual(SCHEDULE);
  });

  it('fails a bad template at creation with its field and position', () => {
    const [problem] = problemsOf({
      deploymentId: DEPLOYMENT,
      outputSettings: { type: 's3', url: 's3://b/{{ current_run_time.strftime( }}.csv' },
    });
    expect(problem?.field).toBe('outputSettings.url');
    expect(problem?.message).toMatch(/1:\d+/);
  });

  it('accepts S3-drop triggers on localFile intake with a safe prefix only', () => {
    const settings = parseDefinitionSettings({
      deploymentId: DEPLOYMENT,
      enabled: true,
      trigger: { type: 's3Drop', prefix: 'incoming/daily/' },
      outputSettings: { type: 's3', url: 's3://out/{{ input_basename }}' },
    });
    expect(settings.trigger).toEqual({ type: 's3Drop', prefix: 'incoming/daily/' });
    expect(
      problemsOf({ deploymentId: DEPLOYMENT, trigger: { type: 's3Drop', prefix: 'in/../../x' } })[0]?.field,
    ).toBe('trigger.prefix');
    expect(
      problemsOf({ deploymentId: DEPLOYMENT, trigger: { type: 's3Drop', prefix: '/abs' } })[0]?.field,
    ).toBe('trigger.prefix');
    expect(
      problemsOf({
        deploymentId: DEPLOYMENT,
        trigger: { type: 's3Drop', prefix: 'in/' },
        intakeSettings: { type: 's3', url: 's3://b/k.csv' },
      })[0]?.field,
    ).toBe('intakeSettings.type');
    expect(
      problemsOf({
        deploymentId: DEPLOYMENT,
        trigger: { type: 's3Drop', prefix: 'in/' },
        schedule: SCHEDULE,
      })[0]?.field,
    ).toBe('schedule');
  });

  it('reads back a stored definition as the same settings, so a PATCH merges over it losslessly', () => {
    const settings = parseDefinitionSettings({
      deploymentId: DEPLOYMENT,
      name: 'nightly',
      enabled: true,
      schedule: SCHEDULE,
      intakeSettings: { type: 's3', url: 's3://in/daily.csv' },
      passthroughColumnsSet: 'all',
      csvSettings: { delimiter: 'tab' },
    });
    const record = newDefinitionRecord({
      ...settings,
      id: 'c'.repeat(24),
      ownerId: 'ann',
      created: new Date(0).toISOString(),
    });
    expect(parseDefinitionSettings(definitionAsInput(record))).toEqual({ ...settings, name: 'nightly' });
  });

  it('finds the owner of a dropped key and the prefix a trigger watches', () => {
    expect(dropKeyPrefix('ann', { type: 's3Drop', prefix: 'in/' })).toBe('drops/ann/in/');
    expect(dropOwnerOf('drops/ann/in/a.csv')).toBe('ann');
    expect(dropOwnerOf('drops/ann/')).toBeNull();
    expect(dropOwnerOf('drops/')).toBeNull();
    expect(dropOwnerOf('jobs/0123/input/000000')).toBeNull();
  });
});
