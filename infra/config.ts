import * as logs from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import type { BatchlineStackProps } from './stacks/batchline-stack.js';

/** CloudWatch Logs accepts these retention periods only (days). */
const LOG_RETENTION_DAYS = new Set<number>(
  Object.values(logs.RetentionDays).filter((days): days is number => typeof days === 'number'),
);

/** `--context key=value` gives strings; cdk.json may give numbers or lists. */
const positiveInt = z.coerce.number().int().positive();
const idList = z
  .union([z.array(z.string()), z.string().transform((text) => text.split(','))])
  .transform((ids) => ids.map((id) => id.trim()).filter((id) => id.length > 0));

/** The app's context (`cdk.json` "context" or `--context key=value`), each key optional. */
export const AppContextSchema = z
  .object({
    stage: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only (an API Gateway stage name)')
      .optional(),
    retentionHours: positiveInt.optional(),
    jobRuntimeLimitHours: z.coerce.number().positive().optional(),
    maxConcurrentJobsPerDeployment: positiveInt.optional(),
    logRetentionDays: positiveInt
      .refine((days) => LOG_RETENTION_DAYS.has(days), {
        message: `one of CloudWatch Logs' retention periods: ${[...LOG_RETENTION_DAYS].sort((a, b) => a - b).join(', ')}`,
      })
      .optional(),
    vpcId: z
      .string()
      .regex(/^vpc-[0-9a-f]+$/, 'a VPC id (vpc-...)')
      .optional(),
    subnetIds: idList
      .pipe(z.array(z.string().regex(/^subnet-[0-9a-f]+$/, 'a subnet id (subnet-...)')).min(1))
      .optional(),
    alarmEmail: z.email().optional(),
    externalWriteLimitBytes: positiveInt.optional(),
    externalBuckets: idList
      .pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')))
      .optional(),
    longStreamUrl: z.url().optional(),
  })
  .refine((context) => (context.vpcId === undefined) === (context.subnetIds === undefined), {
    message: 'vpcId and subnetIds go together: the workers run in those subnets of that VPC',
    path: ['subnetIds'],
  });

export type AppContext = z.infer<typeof AppContextSchema>;

/** The stack's id: `BatchlineStack`, or `BatchlineStack-<stage>` so that stages can share an account. */
export function stackIdFor(context: AppContext): string {
  return context.stage === undefined ? 'BatchlineStack' : `BatchlineStack-${context.stage}`;
}

/** Reads the app's context; throws naming every key that is malformed. */
export function parseAppContext(read: (key: string) => unknown): AppContext {
  const keys = Object.keys(AppContextSchema.shape);
  const raw = Object.fromEntries(
    keys.map((key) => [key, read(key)]).filter(([, value]) => value !== undefined),
  );
  const parsed = AppContextSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid CDK context: ${problems}`);
  }
  return parsed.data;
}

/** The stack props the context sets. */
export function stackPropsFrom(context: AppContext): Partial<BatchlineStackProps> {
  const { vpcId, subnetIds, logRetentionDays, ...rest } = context;
  return {
    ...rest,
    ...(logRetentionDays === undefined ? {} : { logRetentionDays: logRetentionDays as logs.RetentionDays }),
    ...(vpcId === undefined || subnetIds === undefined ? {} : { workerNetwork: { vpcId, subnetIds } }),
  };
}
