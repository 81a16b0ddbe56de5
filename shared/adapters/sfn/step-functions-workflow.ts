import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Workflow } from '../../ports/workflow.js';

/** The state machine's execution input (infra/constructs/batch-workflow.ts reads these fields). */
export interface JobExecutionInput {
  readonly jobId: string;
  readonly numConcurrent: number;
}

/** The ARN of execution `name` of the state machine `stateMachineArn`. */
export function executionArn(stateMachineArn: string, name: string): string {
  if (!stateMachineArn.includes(':stateMachine:')) {
    throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  }
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/**
 * The workflow on AWS: one Step Functions execution per job, named after the job. Execution names are unique per
 * state machine (for 90 days after an execution closes), which is what makes starting a job twice start it once.
 */
export class StepFunctionsWorkflow implements Workflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
    /** The job's numConcurrent (its spec), which bounds the Map's concurrency. */
    private readonly numConcurrentOf: (jobId: string) => Promise<number>,
  ) {}

  async start(jobId: string): Promise<void> {
    const input: JobExecutionInput = { jobId, numConcurrent: await this.numConcurrentOf(jobId) };
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: jobId,
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      // The job's execution exists (or existed): the job was started already.
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }

  async stop(jobId: string): Promise<void> {
    try {
      await this.client.send(
        new StopExecutionCommand({
          executionArn: executionArn(this.stateMachineArn, jobId),
          error: 'JobAborted',
          cause: 'The job was aborted',
        }),
      );
    } catch (error) {
      // The job never got as far as its execution (it was still queued, or its start failed).
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
    }
  }
}
