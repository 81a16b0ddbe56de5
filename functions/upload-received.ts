/**
 * S3 "Object Created" events for `jobs/<id>/input/000000`, through EventBridge (infra/constructs/
 * upload-completion.ts): a single PUT through the upload data plane has landed, so the job's input is complete and
 * the job starts. The PUT itself was answered by S3 already; this is where the API learns of it.
 */
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { ConflictError, NotFoundError } from '../shared/domain/errors.js';
import { parseJobSpec } from '../shared/domain/job-spec.js';
import { lambdaObservability, logger } from '../shared/observability/observability.js';
import type { Deps } from '../shared/use-cases/deps.js';
import { completeInput } from '../shared/use-cases/jobs/input-upload.js';
import { getDeps } from './composition.js';

/** The part of S3's EventBridge detail this handler reads. */
export interface ObjectCreatedDetail {
  readonly bucket: { readonly name: string };
  readonly object: { readonly key: string; readonly size?: number };
}

export type ObjectCreatedEvent = EventBridgeEvent<'Object Created', ObjectCreatedDetail>;

/** started: the input was marked complete and the job started; ignored: nothing to do for this object. */
export type UploadReceivedOutcome = 'started' | 'ignored';

const SINGLE_UPLOAD_KEY = /^jobs\/([0-9a-f]{24})\/input\/000000$/;

/**
 * Completes the input of the job whose single-PUT upload the event reports, which starts the job. Other keys,
 * unknown jobs, multipart jobs (their part 0 has the same key; finalizeMultipart completes them) and jobs whose
 * input was already completed (a redelivered event) are logged and ignored: completeInput is a conditional write,
 * so a job is started once however often the event arrives. Other errors are thrown, so EventBridge retries.
 */
export async function onInputUploaded(deps: Deps, event: ObjectCreatedEvent): Promise<UploadReceivedOutcome> {
  const key = event.detail?.object?.key ?? '';
  const jobId = SINGLE_UPLOAD_KEY.exec(key)?.[1];
  if (jobId === undefined) {
    logger.warn('upload event ignored: not a single-PUT job input', { key });
    return 'ignored';
  }
  const job = await deps.jobs.getById(jobId);
  if (!job) {
    logger.warn('upload event ignored: no such job', { jobId });
    return 'ignored';
  }
  const intake = parseJobSpec(job.spec).intakeSettings;
  if (intake.type === 'localFile' && intake.multipart === true) {
    logger.info('upload event ignored: multipart job, completed by finalizeMultipart', { jobId });
    return 'ignored';
  }
  try {
    await completeInput(deps, jobId);
  } catch (error) {
    if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
    logger.info('upload event ignored', { jobId, reason: error.message });
    return 'ignored';
  }
  logger.info('job input complete, job started', { jobId, size: event.detail.object.size });
  return 'started';
}

/** Lambda entry point (EventBridge target). */
export const handler = middy<ObjectCreatedEvent, void>()
  .use(lambdaObservability())
  .handler(async (event) => {
    await onInputUploaded(await getDeps(), event);
  });
