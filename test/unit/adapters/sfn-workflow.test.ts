import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { executionArn, StepFunctionsWorkflow } from '../../../shared/adapters/sfn/step-functions-workflow.js';

const MACHINE = 'arn:aws:states:eu-west-1:111111111111:stateMachine:Batchline-jobs';
const JOB = '0123456789abcdef01234567';
const metadata = { $metadata: {} };

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

function workflow(numConcurrent = 3): StepFunctionsWorkflow {
  return new StepFunctionsWorkflow(
    new SFNClient({ region: 'eu-west-1' }),
    MACHINE,
    async () => numConcurrent,
  );
}

describe('StepFunctionsWorkflow', () => {
  it('starts one execution named after the job, with the job id and its numConcurrent as input', async () => {
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: executionArn(MACHINE, JOB), startDate: new Date() });
    await workflow(3).start(JOB);

    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      stateMachineArn: MACHINE,
      name: JOB,
      input: JSON.stringify({ jobId: JOB, numConcurrent: 3 }),
    });
  });

  it('treats an execution that already exists as started', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', ...metadata }));
    await expect(workflow().start(JOB)).resolves.toBeUndefined();
  });

  it('lets other start failures through', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('Rate exceeded'));
    await expect(workflow().start(JOB)).rejects.toThrow('Rate exceeded');
  });

  it('stops the execution named after the job', async () => {
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    await workflow().stop(JOB);

    expect(sfn.commandCalls(StopExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: `arn:aws:states:eu-west-1:111111111111:execution:Batchline-jobs:${JOB}`,
      error: 'JobAborted',
      cause: 'The job was aborted',
    });
  });

  it('ignores stopping a job that has no execution, and lets other stop failures through', async () => {
    sfn
      .on(StopExecutionCommand)
      .rejectsOnce(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', ...metadata }))
      .rejectsOnce(new Error('AccessDenied'));
    await expect(workflow().stop(JOB)).resolves.toBeUndefined();
    await expect(workflow().stop(JOB)).rejects.toThrow('AccessDenied');
  });
});

describe('executionArn', () => {
  it('swaps the resource type and appends the execution name', () => {
    expect(executionArn('arn:aws-cn:states:cn-north-1:1:stateMachine:m', 'x')).toBe(
      'arn:aws-cn:states:cn-north-1:1:execution:m:x',
    );
    expect(() => executionArn('arn:aws:lambda:eu-west-1:1:function:f', 'x')).toThrow(/state machine ARN/);
  });
});
