/**
 * Projects (DataRobot's modeling-side container, seed 000) as Batchline keeps them: a named group of models
 * (each model is a READY model package sharing one target) and, optionally, the training dataset whose rows
 * training predictions score.
 *
 * Partitioning (which training rows are validation or holdout) is either given by a partition column, or follows
 * the documented default rule {@link defaultPartitionOf}. A partition column's values are read case-insensitively:
 * `holdout` marks holdout rows, `validation` validation rows, anything else training rows.
 */
import { z } from 'zod';

/** Partition ids as DataRobot reports them in training predictions (`partitionId`). */
export const HOLDOUT_PARTITION = 'Holdout';
export const VALIDATION_PARTITION = '0.0';
export const TRAINING_PARTITION = 'Training';
export type PartitionId = typeof HOLDOUT_PARTITION | typeof VALIDATION_PARTITION | typeof TRAINING_PARTITION;

/** The rows `POST trainingPredictions/` may ask for (DataRobot's DATA_SUBSET). */
export const DataSubsetSchema = z.enum(['all', 'validationAndHoldout', 'holdout', 'allBacktests']);
export type DataSubset = z.infer<typeof DataSubsetSchema>;

const TargetTypeSchema = z.enum(['Binary', 'Multiclass', 'Regression']);

export const TrainingDataSchema = z.strictObject({
  fileName: z.string().min(1),
  objectKey: z.string().min(1),
  numRows: z.int().min(1),
  columns: z.array(z.string()),
  /** The column naming each row's partition, or null for the default rule. */
  partitionColumn: z.string().nullable(),
  uploaded: z.iso.datetime(),
});
export type TrainingData = z.infer<typeof TrainingDataSchema>;

export const ProjectRecordSchema = z.strictObject({
  id: z.string().min(1),
  ownerId: z.string().min(1),
  name: z.string().min(1),
  /** What every model of the project predicts, fixed by the first model package. */
  target: z.strictObject({
    name: z.string().min(1),
    type: TargetTypeSchema,
    positiveClass: z.string().nullable(),
  }),
  /** Model package ids, in the order they were added (a model's number is its position + 1). */
  modelIds: z.array(z.string().min(1)).min(1),
  trainingData: TrainingDataSchema.nullable(),
  created: z.iso.datetime(),
});
export type ProjectRecord = z.infer<typeof ProjectRecordSchema>;

/** `POST projects/fromModelPackage/` (Batchline's extension: DataRobot projects come from AutoML). */
export const CreateProjectSchema = z.strictObject({
  modelPackageId: z.string().regex(/^[0-9a-f]{24}$/, 'expected a 24-character hexadecimal id'),
  projectName: z.string().min(1).max(100).optional(),
});

/** `POST projects/{id}/models/fromModelPackage/`: another model (package) for the same target. */
export const AddModelSchema = CreateProjectSchema.pick({ modelPackageId: true });

/**
 * The default partitioning when no partition column is given, by 0-based row number: every fifth row (4, 9, ...)
 * is holdout (20%, DataRobot's default holdout share), the row before each of those (3, 8, ...) validation, the
 * rest training. Deterministic, so the same file always splits the same way.
 */
export function defaultPartitionOf(rowNumber: number): PartitionId {
  const position = rowNumber % 5;
  if (position === 4) return HOLDOUT_PARTITION;
  if (position === 3) return VALIDATION_PARTITION;
  return TRAINING_PARTITION;
}

/** The partition a partition column's value puts its row in. */
export function partitionOfValue(value: string): PartitionId {
  const v = value.trim().toLowerCase();
  if (v === 'holdout') return HOLDOUT_PARTITION;
  if (v === 'validation') return VALIDATION_PARTITION;
  return TRAINING_PARTITION;
}

/** Whether a row of partition `partition` belongs to `subset` (allBacktests is refused before rows are read). */
export function inSubset(subset: Exclude<DataSubset, 'allBacktests'>, partition: PartitionId): boolean {
  if (subset === 'all') return true;
  if (subset === 'holdout') return partition === HOLDOUT_PARTITION;
  return partition !== TRAINING_PARTITION;
}
