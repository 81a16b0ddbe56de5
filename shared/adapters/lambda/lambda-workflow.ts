import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { Workflow } from '../../ports/workflow.js';

/**
 * Workflow on AWS until the Step Functions state machine (orchestration issue) replaces it: starting a job invokes
 * the job-runner function asynchronously, which runs the same prepare -> chunks -> finalize steps. Stopping needs no
 * call: the runner re-reads the job before every chunk and stops once it is ABORTED.
 */
export class LambdaWorkflow implements Workflow {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async start(jobId: string): Promise<void> {
    await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ jobId })),
      }),
    );
  }

  async stop(): Promise<void> {}
}
