import { ScoringError, ValidationError } from '../../domain/errors.js';
import type { ExtraCell } from '../explain/explanation-columns.js';
import type { ModelDescription } from '../model/model-description.js';
import type { ScoringOptions } from './scoring-options.js';

/** What one output column holds. */
export type OutputCell =
  | { readonly kind: 'passthrough'; readonly inputIndex: number }
  | { readonly kind: 'probability'; readonly classIndex: number }
  | { readonly kind: 'prediction' }
  | { readonly kind: 'threshold' }
  | { readonly kind: 'positiveClass' }
  | { readonly kind: 'status' }
  | ExtraCell;

export interface OutputColumn {
  /** Name after columnNamesRemapping. */
  readonly name: string;
  readonly cell: OutputCell;
}

/**
 * The output columns of a scoring run, in DataRobot's order: passthrough columns, then per-class probabilities
 * (`<target>_<class>_PREDICTION`, the positive class first for binary), `<target>_PREDICTION`, for binary
 * `THRESHOLD` and `POSITIVE_CLASS`, then `extras` (prediction warnings and explanations), and `prediction_status`
 * last. Columns remapped to null are dropped. `header` is the input's column names; throws ScoringError when a
 * passthrough column is missing from it.
 */
export function outputLayout(
  model: ModelDescription,
  options: ScoringOptions,
  header: readonly string[],
  extras: ReadonlyArray<{ name: string; cell: ExtraCell }> = [],
): OutputColumn[] {
  const columns: Array<{ name: string; cell: OutputCell }> = [];
  for (const inputIndex of passthroughIndices(options, header)) {
    columns.push({ name: header[inputIndex] as string, cell: { kind: 'passthrough', inputIndex } });
  }
  const target = model.targetName;
  if (model.targetType !== 'Regression' && options.includeProbabilities && model.probabilityOutput !== null) {
    for (const classIndex of probabilityClassOrder(model, options)) {
      columns.push({
        name: `${target}_${model.classLabels[classIndex]}_PREDICTION`,
        cell: { kind: 'probability', classIndex },
      });
    }
  }
  columns.push({ name: `${target}_PREDICTION`, cell: { kind: 'prediction' } });
  if (model.targetType === 'Binary') {
    columns.push({ name: 'THRESHOLD', cell: { kind: 'threshold' } });
    columns.push({ name: 'POSITIVE_CLASS', cell: { kind: 'positiveClass' } });
  }
  columns.push(...extras);
  if (options.includePredictionStatus) columns.push({ name: 'prediction_status', cell: { kind: 'status' } });
  return applyRemapping(columns, options.columnNamesRemapping);
}

function passthroughIndices(options: ScoringOptions, header: readonly string[]): number[] {
  if (options.passthroughColumns === null) return [];
  if (options.passthroughColumns === 'all') return header.map((_, i) => i);
  const missing = options.passthroughColumns.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new ScoringError(
      `passthrough column${missing.length > 1 ? 's' : ''} not found in the input: ${missing.map((c) => `"${c}"`).join(', ')}`,
    );
  }
  return options.passthroughColumns.map((c) => header.indexOf(c));
}

function probabilityClassOrder(model: ModelDescription, options: ScoringOptions): number[] {
  const labels = model.classLabels;
  let order = labels.map((_, i) => i);
  if (model.targetType === 'Binary' && model.positiveClass !== null) {
    const positive = labels.indexOf(model.positiveClass);
    order = [positive, ...order.filter((i) => i !== positive)];
  }
  if (options.includeProbabilitiesClasses.length === 0) return order;
  const unknown = options.includeProbabilitiesClasses.filter((c) => !labels.includes(c));
  if (unknown.length > 0) {
    throw new ValidationError([
      {
        field: 'includeProbabilitiesClasses',
        message: `unknown class${unknown.length > 1 ? 'es' : ''} ${unknown.map((c) => `"${c}"`).join(', ')}; the model's classes are ${labels.map((c) => `"${c}"`).join(', ')}`,
      },
    ]);
  }
  const wanted = new Set(options.includeProbabilitiesClasses);
  return order.filter((i) => wanted.has(labels[i] as string));
}

function applyRemapping(
  columns: ReadonlyArray<{ name: string; cell: OutputCell }>,
  remapping: ReadonlyMap<string, string | null>,
): OutputColumn[] {
  const out: OutputColumn[] = [];
  for (const column of columns) {
    const renamed = remapping.has(column.name) ? remapping.get(column.name) : column.name;
    if (renamed !== null && renamed !== undefined) out.push({ name: renamed, cell: column.cell });
  }
  return out;
}
