/** Small ONNX models for the deployment and model package tests, one [N,1] input per CSV column. */
import { type FeatureInput, linearClassifier, linearRegressor } from '../../../support/onnx-factory.js';

const columns = (): FeatureInput => ({ kind: 'columns', names: ['a', 'b'] });

/** Binary classifier over columns a, b with labels no/yes. */
export function binaryModel(weight = 1): Uint8Array {
  return linearClassifier({
    input: columns(),
    classLabels: ['no', 'yes'],
    coefficients: [
      [-weight, 0],
      [weight, 0],
    ],
    intercepts: [0, 0],
  });
}

/** Multiclass classifier over columns a, b with labels red/green/blue. */
export function multiclassModel(): Uint8Array {
  return linearClassifier({
    input: columns(),
    classLabels: ['red', 'green', 'blue'],
    coefficients: [
      [1, 0],
      [0, 1],
      [1, 1],
    ],
    intercepts: [0, 0, 0],
    postTransform: 'SOFTMAX',
  });
}

/** Regressor over columns a, b. */
export function regressionModel(): Uint8Array {
  return linearRegressor({ input: columns(), coefficients: [1, 2], intercept: 3 });
}
