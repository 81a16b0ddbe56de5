/** What every workflow step derives from a job record: the record itself, its spec, dialect and scoring options. */
import { NotFoundError } from '../../domain/errors.js';
import type { JobRecord } from '../../domain/job.js';
import { type JobSpec, parseJobSpec } from '../../domain/job-spec.js';
import { type CsvDialect, resolveDialect } from '../../engine/csv/dialect.js';
import { scoringOptionsOf } from '../../engine/scoring/job-scoring-options.js';
import type { ScoringOptions } from '../../engine/scoring/scoring-options.js';
import type { Deps } from '../deps.js';

export interface JobSettings {
  readonly spec: JobSpec;
  readonly dialect: CsvDialect;
  readonly scoring: ScoringOptions;
}

/** The job, whoever owns it. Throws NotFoundError. */
export async function requireJob(deps: Deps, jobId: string): Promise<JobRecord> {
  const job = await deps.jobs.getById(jobId);
  if (!job) throw new NotFoundError('job', jobId);
  return job;
}

/**
 * The job's normalized spec turned into engine settings. Throws the domain error that explains what cannot be
 * honoured (a CsvSettingsError for an unknown encoding, NotSupportedError for prediction explanations).
 */
export function jobSettings(job: JobRecord): JobSettings {
  const spec = parseJobSpec(job.spec);
  return { spec, dialect: resolveDialect(spec.csvSettings), scoring: scoringOptionsOf(spec) };
}
