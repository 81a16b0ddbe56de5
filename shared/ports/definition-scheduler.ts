/**
 * The scheduler that fires job definitions: EventBridge Scheduler on AWS, croner in the embedded stack. It holds
 * one scheduled entry per expression of a definition (see toSchedulerExpressions), each firing
 * run-scheduled-definition with the definition id and the scheduled time.
 */
export interface DefinitionScheduler {
  /**
   * Makes the definition's entries exactly `expressions` (EventBridge Scheduler `cron(...)`, UTC): creates the
   * missing ones and deletes the others. Idempotent.
   */
  upsert(definitionId: string, expressions: readonly string[]): Promise<void>;
  /** Deletes every entry of the definition; nothing to delete is fine. */
  remove(definitionId: string): Promise<void>;
  /** The expressions the definition's entries hold now, sorted. */
  list(definitionId: string): Promise<string[]>;
}
