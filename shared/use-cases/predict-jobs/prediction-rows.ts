/**
 * Reads a batch job's output (the engine's columns: `<target>_<class>_PREDICTION` per class, `<target>_PREDICTION`,
 * and for binary targets `THRESHOLD` and `POSITIVE_CLASS`) back into the per-row shape of DataRobot's
 * predictions and training predictions: prediction, one {label, value} per class (regression: one item labelled
 * with the target), and for binary targets the threshold and the positive class's probability.
 */
import type { ModelSummary } from '../../domain/model-package.js';
import type { CsvTable } from '../projects/csv-table.js';

export interface PredictionValue {
  readonly label: string;
  readonly value: number;
}

export interface PredictionRow {
  readonly prediction: string | number;
  readonly predictionValues: PredictionValue[];
  /** Binary targets only. */
  readonly predictionThreshold?: number;
  readonly positiveProbability?: number;
}

/**
 * One PredictionRow per output row, in order.
 *
 * @throws Error when a column the model's output must have is missing (the output and the model disagree, a bug).
 */
export function predictionRows(output: CsvTable, model: ModelSummary): PredictionRow[] {
  const column = (name: string): number => {
    const index = output.header.indexOf(name);
    if (index < 0) throw new Error(`the scoring output has no column ${name}`);
    return index;
  };
  const target = model.targetName;
  const predictionAt = column(`${target}_PREDICTION`);
  if (model.targetType === 'Regression') {
    return output.rows.map((row) => {
      const value = Number(row[predictionAt]);
      return { prediction: value, predictionValues: [{ label: target, value }] };
    });
  }
  const classes = model.classLabels.map((label) => ({ label, at: column(`${target}_${label}_PREDICTION`) }));
  const binary = model.targetType === 'Binary';
  const thresholdAt = binary ? column('THRESHOLD') : -1;
  return output.rows.map((row) => {
    const predictionValues = classes.map(({ label, at }) => ({ label, value: Number(row[at]) }));
    const base = { prediction: row[predictionAt] as string, predictionValues };
    if (!binary) return base;
    const positive = predictionValues.find((v) => v.label === model.positiveClass);
    const threshold = { ...base, predictionThreshold: Number(row[thresholdAt]) };
    return positive ? { ...threshold, positiveProbability: positive.value } : threshold;
  });
}
