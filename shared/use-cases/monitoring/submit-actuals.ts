/**
 * `actuals/fromJSON`: joins submitted actuals to the stored predictions with the same association id and adds
 * the pairs to the accuracy sums of the hour each prediction was made. All or nothing: a request with an
 * unknown association id, an id repeated within it, an id that already has an actual, or a value of the wrong
 * type changes nothing and names the offending rows.
 */
import { ConflictError, type FieldProblem, ValidationError } from '../../domain/errors.js';
import type { ModelSummary } from '../../domain/model-package.js';
import { accuracyOfPair, sumAccuracy } from '../../domain/monitoring/accuracy.js';
import { type Actual, SubmitActualsSchema } from '../../domain/monitoring/actuals.js';
import {
  type AssociatedPredictions,
  AssociatedPredictionsSchema,
} from '../../domain/monitoring/associations.js';
import { emptyBucket } from '../../domain/monitoring/bucket.js';
import { getDeployment } from '../deployments/query-deployments.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';
import { monitoredModel } from './model-baseline.js';
import { associationsPrefix, jsonBytes, readJson } from './monitoring-keys.js';
import { monitoringStore } from './settings.js';

/** Rows named in one error message; the count says how many more there are. */
const LISTED = 10;

interface Joined {
  readonly key: string;
  readonly chunk: AssociatedPredictions;
  readonly pairs: Array<{ id: string; actual: number | string }>;
}

/** Records a batch of actuals; returns how many were joined. */
export async function submitActuals(
  deps: Deps,
  ownerId: string,
  deploymentId: string,
  body: unknown,
): Promise<{ joined: number }> {
  await getDeployment(deps, ownerId, deploymentId);
  const { data } = parseRequest(SubmitActualsSchema, body);
  rejectRepeats(data);
  const chunks = await loadPredictions(deps, deploymentId);
  const where = new Map<string, string>();
  // An id scored in several chunks joins its latest prediction: later chunks overwrite earlier ones here.
  const byTime = [...chunks].sort(([ka, a], [kb, b]) => a.hour.localeCompare(b.hour) || ka.localeCompare(kb));
  for (const [key, chunk] of byTime) for (const id of Object.keys(chunk.predictions)) where.set(id, key);
  const unknown: FieldProblem[] = [];
  const already: string[] = [];
  const joined = new Map<string, Joined>();
  const summaries = new Map<string, ModelSummary>();
  const typeProblems: FieldProblem[] = [];
  for (const [i, row] of data.entries()) {
    const key = where.get(row.associationId);
    if (key === undefined) {
      unknown.push({
        field: `data.${i}.associationId`,
        message: `no prediction of this deployment has association id "${row.associationId}"`,
      });
      continue;
    }
    const chunk = chunks.get(key) as AssociatedPredictions;
    if (row.associationId in chunk.actuals) {
      already.push(row.associationId);
      continue;
    }
    let summary = summaries.get(chunk.modelId);
    if (!summary) {
      summary = (await monitoredModel(deps, chunk.modelId)).summary;
      summaries.set(chunk.modelId, summary);
    }
    const actual = actualOf(row, summary);
    if (typeof actual === 'object') {
      typeProblems.push({ field: `data.${i}.actualValue`, message: actual.problem });
      continue;
    }
    const entry = joined.get(key) ?? { key, chunk, pairs: [] };
    entry.pairs.push({ id: row.associationId, actual });
    joined.set(key, entry);
  }
  if (unknown.length > 0) throw new ValidationError(listed(unknown));
  if (typeProblems.length > 0) throw new ValidationError(listed(typeProblems));
  if (already.length > 0) {
    const names = already
      .slice(0, LISTED)
      .map((id) => `"${id}"`)
      .join(', ');
    throw new ConflictError(
      `actuals were already submitted for association id${already.length > 1 ? 's' : ''} ${names}${more(already.length)}; each association id takes one actual`,
    );
  }
  await record(deps, deploymentId, [...joined.values()], summaries);
  return { joined: data.length };
}

function rejectRepeats(data: readonly Actual[]): void {
  const first = new Map<string, number>();
  const problems: FieldProblem[] = [];
  data.forEach((row, i) => {
    const seen = first.get(row.associationId);
    if (seen === undefined) first.set(row.associationId, i);
    else
      problems.push({
        field: `data.${i}.associationId`,
        message: `"${row.associationId}" repeats data.${seen}`,
      });
  });
  if (problems.length > 0) throw new ValidationError(listed(problems));
}

/** The actual as the model's target type needs it, or why it does not fit. */
function actualOf(row: Actual, summary: ModelSummary): number | string | { problem: string } {
  const value = row.actualValue;
  if (summary.targetType === 'Regression') {
    const n = typeof value === 'number' ? value : Number(value.trim());
    return Number.isFinite(n) && !(typeof value === 'string' && value.trim() === '')
      ? n
      : {
          problem: `expected a number for the regression target "${summary.targetName}", received ${JSON.stringify(value)}`,
        };
  }
  const label = String(value);
  return summary.classLabels.includes(label)
    ? label
    : {
        problem: `expected one of the classes ${summary.classLabels.map((c) => `"${c}"`).join(', ')}, received ${JSON.stringify(value)}`,
      };
}

/** Every stored association chunk of the deployment, by object key. */
async function loadPredictions(
  deps: Deps,
  deploymentId: string,
): Promise<Map<string, AssociatedPredictions>> {
  const objects = await deps.objects.list(associationsPrefix(deploymentId));
  const chunks = await Promise.all(
    objects.map(
      async (o) => [o.key, await readJson(deps.objects, o.key, AssociatedPredictionsSchema)] as const,
    ),
  );
  return new Map(chunks);
}

/**
 * Adds the pairs to the accuracy buckets, then marks the actuals on the stored predictions. Buckets first: a
 * failure in between leaves ids unmarked, so resubmitting them could count them twice, but never loses them.
 */
async function record(
  deps: Deps,
  deploymentId: string,
  joined: readonly Joined[],
  summaries: ReadonlyMap<string, ModelSummary>,
): Promise<void> {
  const change = `actuals:${deps.newId()}`;
  for (const { key, chunk, pairs } of joined) {
    const summary = summaries.get(chunk.modelId) as ModelSummary;
    const classes = { labels: summary.classLabels, positiveClass: summary.positiveClass };
    const bucket = emptyBucket(chunk.hour, chunk.modelId);
    bucket.accuracy = sumAccuracy(
      pairs.map((p) =>
        accuracyOfPair(summary.targetType, chunk.predictions[p.id] as number | number[], p.actual, classes),
      ),
    );
    // One change per chunk: chunks of the same hour share a bucket.
    await monitoringStore(deps).addToBucket(deploymentId, `${change}:${key}`, bucket);
  }
  await Promise.all(
    joined.map(({ key, chunk, pairs }) => {
      const actuals = { ...chunk.actuals, ...Object.fromEntries(pairs.map((p) => [p.id, p.actual])) };
      return deps.objects.put(key, jsonBytes({ ...chunk, actuals }));
    }),
  );
}

function listed(problems: readonly FieldProblem[]): FieldProblem[] {
  if (problems.length <= LISTED) return [...problems];
  return [
    ...problems.slice(0, LISTED),
    { field: 'data', message: `${problems.length - LISTED} more rows have the same problem` },
  ];
}

function more(count: number): string {
  return count > LISTED ? ` and ${count - LISTED} more` : '';
}
