/**
 * The demo's model: a gradient-boosted tree classifier fitted in TypeScript on the generated applicants and
 * written as ONNX the way skl2onnx writes a pipeline with a categorical column (string input -> LabelEncoder ->
 * Concat with the numeric inputs -> TreeEnsembleClassifier -> ZipMap).
 */
import { fitGbdt } from '../test/support/gbdt.js';
import { categoricalPipeline, type TreeNode } from '../test/support/onnx-factory.js';
import { type Applicant, EMPLOYMENT, featuresOf, NUMERIC_COLUMNS, TARGET } from './credit-data.js';

/** Size and seed of the fit. */
export interface CreditModelOptions {
  trees: number;
  depth: number;
  seed: number;
}

/** The ONNX bytes and the manifest that goes beside them. */
export interface CreditModel {
  onnx: Uint8Array;
  manifest: { targetName: string; positiveClass: number };
}

/** Fits the model on the applicants and exports it. */
export function fitCreditModel(applicants: readonly Applicant[], opts: CreditModelOptions): CreditModel {
  const fitted = fitGbdt(
    applicants.map(featuresOf),
    applicants.map((a) => a.isBad),
    {
      trees: opts.trees,
      depth: opts.depth,
      learningRate: 0.15,
      seed: opts.seed,
    },
  );
  const onnx = categoricalPipeline({
    categorical: [{ name: 'employment', categories: [...EMPLOYMENT] }],
    numeric: [...NUMERIC_COLUMNS],
    head: { kind: 'trees', trees: withBaseScore(fitted.trees, fitted.baseScore) },
    classLabels: [0, 1],
    zipMap: true,
  });
  return { onnx, manifest: { targetName: TARGET, positiveClass: 1 } };
}

/**
 * The pipeline's tree head has no base_values, so the prior log-odds go into the first tree's leaves: every row
 * reaches exactly one of them, which adds the same margin.
 */
function withBaseScore(trees: readonly TreeNode[], baseScore: number): TreeNode[] {
  const [first, ...rest] = trees;
  return first ? [shiftLeaves(first, baseScore), ...rest] : [{ weights: [baseScore] }];
}

function shiftLeaves(node: TreeNode, shift: number): TreeNode {
  if ('weights' in node) return { weights: node.weights.map((w) => Math.fround(w + shift)) };
  return { ...node, ifTrue: shiftLeaves(node.ifTrue, shift), ifFalse: shiftLeaves(node.ifFalse, shift) };
}
