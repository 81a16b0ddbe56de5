import { z } from 'zod';

/** The Lambda environment, set by the CDK stack; read once and validated so a misconfiguration fails at start. */
const EnvSchema = z.object({
  BUCKET_NAME: z.string().min(1),
  JOBS_TABLE_NAME: z.string().min(1),
  RESOURCES_TABLE_NAME: z.string().min(1),
  UPLOAD_SECRET_ARN: z.string().min(1),
  DATA_PLANE_URL: z.url(),
  /** The job workflow (one execution per job); also needed by steps, which start the next queued job. */
  STATE_MACHINE_ARN: z.string().regex(/^arn:[\w-]+:states:[^:]*:\d*:stateMachine:[^:]+$/),
  /** The deploy-time admin key (API handlers only): stored hashed on each cold start, idempotently. */
  ADMIN_KEY_SECRET_ARN: z.string().min(1).optional(),
  /** Base URL of the long-stream service (docs/data-plane.md); absent, the download Lambda streams every job. */
  LONG_STREAM_URL: z.url().optional(),
  /** Job-definition schedules (EventBridge Scheduler): the group, the function it invokes and the role it uses. */
  SCHEDULE_GROUP_NAME: z.string().min(1).optional(),
  SCHEDULED_RUN_FUNCTION_ARN: z.string().min(1).optional(),
  SCHEDULER_ROLE_ARN: z.string().min(1).optional(),
  /** Where Scheduler leaves invocations that kept failing. */
  SCHEDULER_DEAD_LETTER_ARN: z.string().min(1).optional(),
  UPLOAD_URL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(48 * 3600),
  CHUNK_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  RETENTION_HOURS: z.coerce.number().int().positive().default(48),
  /** Jobs one deployment runs at once; absent, the use cases' default. */
  MAX_CONCURRENT_JOBS_PER_DEPLOYMENT: z.coerce.number().int().positive().optional(),
  /** The state machine's timeout, in hours; absent, the use cases' default. */
  JOB_RUNTIME_LIMIT_HOURS: z.coerce.number().positive().optional(),
  /** Most bytes a job writes to an external destination; absent, the use cases' default (100 GB). */
  EXTERNAL_WRITE_LIMIT_BYTES: z.coerce.number().int().positive().optional(),
});

export type LambdaEnv = z.infer<typeof EnvSchema>;

/** Parses the environment; throws naming every missing or malformed variable. */
export function lambdaEnv(env: NodeJS.ProcessEnv = process.env): LambdaEnv {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid Lambda environment: ${problems}`);
  }
  return parsed.data;
}
