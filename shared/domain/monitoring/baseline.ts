/**
 * The training baseline monitoring compares scored data with: per-feature distributions, the prediction
 * distribution and optional feature importance, shipped in the model manifest (`monitoringBaseline`) and so pinned
 * with the model version. Its bins are also the bins scored data is counted in, which keeps chunk aggregates
 * small and mergeable by addition.
 */
import { z } from 'zod';

const count = z.number().min(0);

/**
 * A numeric distribution over ascending cut points: bin 0 holds values below `edges[0]`, bin i values in
 * `[edges[i-1], edges[i])`, the last bin values from the last edge up; `missing` counts empty/NA cells.
 */
export const NumericDistributionSchema = z
  .strictObject({
    kind: z.literal('numeric'),
    edges: z.array(z.number()).min(1).max(200),
    counts: z.array(count),
    missing: count.default(0),
  })
  .refine((d) => d.edges.every((e, i) => i === 0 || e > (d.edges[i - 1] as number)), {
    message: 'edges must be strictly ascending',
    path: ['edges'],
  })
  .refine((d) => d.counts.length === d.edges.length + 1, {
    message: 'counts must have one entry more than edges (values below the first and from the last edge up)',
    path: ['counts'],
  });

/** A categorical distribution: counts of the baseline's categories, `other` for any category not listed. */
export const CategoricalDistributionSchema = z.strictObject({
  kind: z.literal('categorical'),
  counts: z.record(z.string(), count).refine((c) => Object.keys(c).length <= 1000, 'at most 1000 categories'),
  other: count.default(0),
  missing: count.default(0),
});

export const DistributionSchema = z.discriminatedUnion('kind', [
  NumericDistributionSchema,
  CategoricalDistributionSchema,
]);
export type Distribution = z.infer<typeof DistributionSchema>;

export const MonitoringBaselineSchema = z
  .strictObject({
    features: z
      .record(z.string().min(1), DistributionSchema)
      .default({})
      .describe('Training distribution of each CSV column the model reads (feature drift baseline).'),
    prediction: DistributionSchema.optional().describe(
      'Training prediction distribution: regression values, the positive-class probability (binary) or the predicted class (multiclass).',
    ),
    featureImpact: z
      .record(z.string().min(1), z.number().min(0))
      .optional()
      .describe('Importance per column; reported normalized so the most important column is 1.'),
  })
  .describe('Training baseline for drift monitoring; see docs/api.md "Monitoring".');
export type MonitoringBaseline = z.infer<typeof MonitoringBaselineSchema>;

/** Rows a distribution counts, missing included. */
export function distributionTotal(d: Distribution): number {
  const binned =
    d.kind === 'numeric'
      ? d.counts.reduce((a, b) => a + b, 0)
      : Object.values(d.counts).reduce((a, b) => a + b, 0);
  return binned + (d.kind === 'categorical' ? d.other : 0) + d.missing;
}

/**
 * The distribution as one count vector in aggregate order: numeric bins then missing; categorical categories
 * (in key order), other, then missing. Scored data is counted in the same order (see binCount).
 */
export function baselineVector(d: Distribution): number[] {
  if (d.kind === 'numeric') return [...d.counts, d.missing];
  return [...Object.values(d.counts), d.other, d.missing];
}

/** Length of a distribution's count vector. */
export function binCount(d: Distribution): number {
  return d.kind === 'numeric' ? d.edges.length + 2 : Object.keys(d.counts).length + 2;
}
