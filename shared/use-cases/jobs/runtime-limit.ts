/**
 * The job runtime limit as the workflow reports it: on AWS the state machine's timeout ends the execution, and a
 * rule on that event (infra/constructs/runtime-limit-rule.ts) has FailJob end the job with these words.
 */

/** The Error a runtime-limit failure carries; its Cause is the job's statusDetails as it is. */
export const RUNTIME_LIMIT_ERROR = 'Batchline.RuntimeLimitExceeded';

/** The statusDetails of a job ended by the runtime limit. */
export function runtimeLimitReason(hours: number): string {
  return `Job exceeded the runtime limit of ${hours} hour${hours === 1 ? '' : 's'}`;
}
