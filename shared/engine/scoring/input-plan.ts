import { ScoringError } from '../../domain/errors.js';
import type { FeedType, InputBinding } from '../model/model-description.js';

/** One model input with the header positions of the CSV columns that feed it. */
export interface BoundInput {
  readonly binding: InputBinding;
  readonly elemType: FeedType;
  /** Header index of each feeding column, in tensor column order. */
  readonly columnIndices: Int32Array;
  readonly width: number;
}

/**
 * Binds every model input to header positions. Header names match exactly; when a name repeats, the first
 * occurrence feeds the model. Throws ScoringError naming every missing column before any row is scored.
 */
export function bindInputs(inputs: readonly InputBinding[], header: readonly string[]): BoundInput[] {
  const firstIndex = new Map<string, number>();
  header.forEach((name, i) => {
    if (!firstIndex.has(name)) firstIndex.set(name, i);
  });
  const missing = new Set<string>();
  const bound = inputs.map((binding) => {
    const columnIndices = Int32Array.from(binding.columns, (column) => {
      const index = firstIndex.get(column);
      if (index === undefined) missing.add(column);
      return index ?? -1;
    });
    return { binding, elemType: binding.elemType, columnIndices, width: binding.columns.length };
  });
  if (missing.size > 0) {
    const names = [...missing].map((c) => `"${c}"`).join(', ');
    throw new ScoringError(
      `the input is missing ${missing.size === 1 ? 'a column' : `${missing.size} columns`} the model needs: ${names}`,
    );
  }
  return bound;
}
