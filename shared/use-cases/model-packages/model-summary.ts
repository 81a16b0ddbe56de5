import type { ModelSummary } from '../../domain/model-package.js';
import type { ModelDescription } from '../../engine/model/model-description.js';

/** What a model package records about its model: the parts of the description users and checks need. */
export function summarizeModel(description: ModelDescription): ModelSummary {
  return {
    targetName: description.targetName,
    targetType: description.targetType,
    classLabels: [...description.classLabels],
    positiveClass: description.positiveClass,
    predictionThreshold: description.predictionThreshold,
    inputs: description.inputs.map((input) => ({
      name: input.name,
      type: input.elemType,
      columns: [...input.columns],
    })),
  };
}
