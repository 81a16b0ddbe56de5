/**
 * The state machine's tasks bound to local code: each step function, found by its module name, runs its handler's
 * core; the Fargate worker (`ecs:runTask.sync`) scores the chunk its container environment names with the same
 * code as the Lambda scorer, as the container does on AWS.
 */
import type { TaskHandler, TaskHandlers } from './asl/task-resource.js';

/** The resource of the Fargate chunk worker's Task state. */
export const RUN_TASK_SYNC = 'arn:aws:states:::ecs:runTask.sync';

/** The chunk a Fargate worker scores, from its container environment (JOB_ID, CHUNK_INDEX). */
export interface ChunkEvent {
  readonly jobId: string;
  readonly index: number;
}

export interface StepCores {
  readonly prepare: TaskHandler;
  readonly scoreChunk: TaskHandler;
  readonly finalize: TaskHandler;
  readonly fail: TaskHandler;
}

/** Task handlers for the definition's step functions (by `batchline:module` name) and the Fargate worker. */
export function localStepTasks(cores: StepCores): TaskHandlers {
  return {
    'step-prepare': cores.prepare,
    'step-score-chunk': cores.scoreChunk,
    'step-finalize': cores.finalize,
    'step-fail': cores.fail,
    [RUN_TASK_SYNC]: async (input) => {
      await cores.scoreChunk({ ...fargateChunkEvent(input), worker: 'fargate' });
      // runTask.sync answers with the stopped task; the definition does not read it.
      return { Tasks: [{ LastStatus: 'STOPPED', StopCode: 'EssentialContainerExited' }] };
    },
  };
}

/** Reads JOB_ID and CHUNK_INDEX from a runTask request's container overrides. Throws when either is missing. */
export function fargateChunkEvent(runTaskInput: unknown): ChunkEvent {
  const overrides = (runTaskInput as { Overrides?: { ContainerOverrides?: unknown } } | null)?.Overrides
    ?.ContainerOverrides;
  const environment = (Array.isArray(overrides) ? overrides : []).flatMap(
    (container: { Environment?: unknown }) =>
      Array.isArray(container.Environment) ? container.Environment : [],
  ) as { Name?: unknown; Value?: unknown }[];
  const value = (name: string) => environment.find((variable) => variable.Name === name)?.Value;
  const jobId = value('JOB_ID');
  const index = Number(value('CHUNK_INDEX'));
  if (typeof jobId !== 'string' || !Number.isInteger(index) || index < 0) {
    throw new Error('the Fargate worker needs JOB_ID and CHUNK_INDEX in its container environment');
  }
  return { jobId, index };
}
