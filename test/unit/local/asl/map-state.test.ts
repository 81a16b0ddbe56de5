import { describe, expect, it } from 'vitest';
import type { MapItemRun } from '../../../../local/asl/environment.js';
import { createLocalExecutor } from '../../../../local/asl/executor.js';
import type { TaskHandlers } from '../../../../local/asl/task-resource.js';
import { memoryObjects, namedError, recordingSleep } from './fixtures.js';

const processor = (mode: 'DISTRIBUTED' | 'INLINE') => ({
  ProcessorConfig: { Mode: mode, ExecutionType: 'STANDARD' },
  StartAt: 'Work',
  States: { Work: { Type: 'Task', Resource: 'work', End: true } },
});

function mapDefinition(map: Record<string, unknown>): Record<string, unknown> {
  return {
    StartAt: 'Map',
    States: {
      Map: { Type: 'Map', ItemProcessor: processor('DISTRIBUTED'), End: true, ...map },
      Caught: { Type: 'Succeed' },
    },
  };
}

const failOdd: TaskHandlers = {
  work: async (input) => {
    if ((input as number) % 2 === 1) throw namedError('OddItem', `item ${input} is odd`);
    return (input as number) * 10;
  },
};

describe('Map state', () => {
  it('writes results with ResultWriter and outputs the manifest location', async () => {
    const objects = memoryObjects({ 'in/items.json': [1, 2, 3] });
    const definition = mapDefinition({
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        Parameters: { Bucket: 'in', Key: 'items.json' },
      },
      ItemSelector: { 'n.$': '$$.Map.Item.Value' },
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Bucket: 'out', 'Prefix.$': '$.prefix' },
      },
    });
    const tasks: TaskHandlers = { work: async (input) => (input as { n: number }).n * 2 };

    const result = await createLocalExecutor({ definition, tasks, objects }).start('e', { prefix: 'runs/' })
      .result;

    const output = result.output as {
      MapRunArn: string;
      ResultWriterDetails: { Bucket: string; Key: string };
    };
    expect(output.ResultWriterDetails.Bucket).toBe('out');
    expect(output.ResultWriterDetails.Key).toMatch(/^runs\/[0-9a-f-]{36}\/manifest\.json$/);
    const manifest = objects.objects.get(`out/${output.ResultWriterDetails.Key}`) as {
      MapRunArn: string;
      ResultFiles: Record<string, { Key: string }[]>;
    };
    expect(manifest.MapRunArn).toBe(output.MapRunArn);
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    const succeeded = objects.objects.get(`out/${manifest.ResultFiles.SUCCEEDED?.[0]?.Key}`) as {
      Input: string;
      Output: string;
      Status: string;
    }[];
    expect(
      succeeded.map((entry) => [JSON.parse(entry.Input), JSON.parse(entry.Output), entry.Status]),
    ).toEqual([
      [{ n: 1 }, 2, 'SUCCEEDED'],
      [{ n: 2 }, 4, 'SUCCEEDED'],
      [{ n: 3 }, 6, 'SUCCEEDED'],
    ]);
  });

  it('writes the failed items too when the threshold is exceeded', async () => {
    const objects = memoryObjects();
    const definition = mapDefinition({
      ItemsPath: '$.items',
      MaxConcurrency: 1,
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out', Prefix: 'p' } },
    });

    const result = await createLocalExecutor({ definition, tasks: failOdd, objects }).start('e', {
      items: [2, 3, 4],
    }).result;

    expect(result).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    const failedKey = [...objects.objects.keys()].find((key) => key.endsWith('FAILED_0.json'));
    expect(objects.objects.get(failedKey ?? '')).toMatchObject([
      { Error: 'OddItem', Cause: 'item 3 is odd' },
    ]);
    const pendingKey = [...objects.objects.keys()].find((key) => key.endsWith('PENDING_0.json'));
    expect(objects.objects.get(pendingKey ?? '')).toMatchObject([{ Input: '4', Status: 'PENDING' }]);
  });

  it('tolerates failures up to ToleratedFailureCount and outputs the results in item order', async () => {
    const definition = mapDefinition({ ToleratedFailureCount: 1 });
    const result = await createLocalExecutor({ definition, tasks: failOdd, objects: memoryObjects() }).start(
      'e',
      [2, 3, 4],
    ).result;
    expect(result).toEqual({ status: 'SUCCEEDED', output: [20, null, 40] });
  });

  it('an Inline Map fails with the failing item error itself', async () => {
    const definition = mapDefinition({ ItemProcessor: processor('INLINE') });
    const result = await createLocalExecutor({ definition, tasks: failOdd, objects: memoryObjects() }).start(
      'e',
      [2, 3],
    ).result;
    expect(result).toEqual({ status: 'FAILED', error: 'OddItem', cause: 'item 3 is odd' });
  });

  it('an unreadable item source fails with States.ItemReaderFailed, which Catch can take', async () => {
    const definition = mapDefinition({
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        Parameters: { Bucket: 'in', Key: 'missing.json' },
      },
      Catch: [{ ErrorEquals: ['States.ItemReaderFailed'], Next: 'Caught' }],
    });
    const result = await createLocalExecutor({ definition, tasks: failOdd, objects: memoryObjects() }).start(
      'e',
      {},
    ).result;
    expect(result).toEqual({
      status: 'SUCCEEDED',
      output: { Error: 'States.ItemReaderFailed', Cause: 'NoSuchKey: in/missing.json' },
    });
  });

  it('retries the whole Map per its Retry and gives items their own child execution context', async () => {
    const seen: unknown[] = [];
    let attempts = 0;
    const { delays, sleep } = recordingSleep();
    const definition = mapDefinition({
      ItemProcessor: {
        ...processor('DISTRIBUTED'),
        States: {
          Work: {
            Type: 'Task',
            Resource: 'work',
            Parameters: { 'id.$': '$$.Execution.Id', 'v.$': '$' },
            End: true,
          },
        },
      },
      Retry: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], IntervalSeconds: 1 }],
    });
    const tasks: TaskHandlers = {
      work: async (input) => {
        attempts += 1;
        if (attempts === 1) throw namedError('Crash', 'first attempt dies');
        seen.push(input);
        return null;
      },
    };

    const execution = createLocalExecutor({ definition, tasks, objects: memoryObjects(), sleep }).start('e', [
      'a',
    ]);

    expect((await execution.result).status).toBe('SUCCEEDED');
    expect(delays).toEqual([1000]);
    expect(seen).toEqual([{ id: `${execution.id}/Map:0`, v: 'a' }]);
  });

  it('hands each item to a pluggable runner with its processor, input and context', async () => {
    const runs: MapItemRun[] = [];
    const definition = mapDefinition({
      ItemSelector: { 'value.$': '$$.Map.Item.Value', 'job.$': '$.job' },
      ItemsPath: '$.items',
    });
    const executor = createLocalExecutor({
      definition,
      tasks: {},
      objects: memoryObjects(),
      runMapItem: async (run) => {
        runs.push(run);
        return `ran ${(run.input as { value: string }).value}`;
      },
    });

    const result = await executor.start('e', { job: 'j', items: ['x', 'y'] }).result;

    expect(result.output).toEqual(['ran x', 'ran y']);
    expect(runs.map((run) => [run.mapStateName, run.index, run.input])).toEqual([
      ['Map', 0, { value: 'x', job: 'j' }],
      ['Map', 1, { value: 'y', job: 'j' }],
    ]);
    expect(runs[0]?.processor.StartAt).toBe('Work');
    expect(runs[0]?.context.Execution.Input).toEqual({ value: 'x', job: 'j' });
    expect(runs[0]?.signal.aborted).toBe(false);
  });
});

describe('stopping', () => {
  it('stop() during a Wait ends ABORTED without waiting for the sleep', async () => {
    const definition = {
      StartAt: 'Pause',
      States: {
        Pause: { Type: 'Wait', Seconds: 3600, Next: 'After' },
        After: { Type: 'Task', Resource: 'after', End: true },
      },
    };
    const afterCalls: unknown[] = [];
    const execution = createLocalExecutor({
      definition,
      tasks: { after: async (input) => afterCalls.push(input) },
      objects: memoryObjects(),
      sleep: () => new Promise(() => {}),
    }).start('e', {});

    execution.stop();

    expect(await execution.result).toEqual({ status: 'ABORTED' });
    await execution.settled;
    expect(afterCalls).toEqual([]);
  });
});
