/**
 * S3 "Object Created" events for keys under `drops/` in the stack's bucket, through EventBridge
 * (infra/constructs/job-scheduling.ts); locally the embedded stack forwards s3rver's events here
 * (local/s3-drop-listener.ts). Each dropped object starts one job per enabled definition whose trigger watches
 * its prefix; an event delivered twice starts no second job.
 */
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { lambdaObservability, logger, recordJobsCreated } from '../shared/observability/observability.js';
import { type DropOutcome, startDropRuns } from '../shared/use-cases/triggers/s3-drop.js';
import { getDeps } from './composition.js';

/** The part of S3's EventBridge detail this handler reads. */
export interface DropDetail {
  readonly bucket: { readonly name: string };
  readonly object: { readonly key: string; readonly etag?: string; readonly sequencer?: string };
}

export type DropEvent = EventBridgeEvent<'Object Created', DropDetail>;

/** Lambda entry point (EventBridge target): the jobs the drop started, also logged and counted in JobsCreated. */
export const handler = middy<DropEvent, DropOutcome[]>()
  .use(lambdaObservability())
  .handler(async (event) => {
    const { bucket, object } = event.detail;
    const outcomes = await startDropRuns(await getDeps(), {
      bucket: bucket.name,
      key: object.key,
      etag: object.etag,
      sequencer: object.sequencer,
    });
    recordJobsCreated(outcomes.filter((o) => o.outcome === 'started').length);
    logger.info('object dropped', { key: object.key, outcomes });
    return outcomes;
  });
