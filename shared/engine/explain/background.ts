/** The manifest's background rows turned into model feeds, the way BatchScorer turns CSV cells into feeds. */
import { ModelError } from '../../domain/errors.js';
import type { LoadedModel } from '../model/load-model.js';
import type { InputBinding } from '../model/model-description.js';
import { allocateFeeds, type FeedArray } from './feeds.js';
import { ModelEvaluator } from './model-outputs.js';

type Cell = string | number | boolean | null;

/**
 * Feeds for every background row. Missing cells are empty: NaN for float inputs, "" for strings. Throws
 * ModelError naming the row and column when a row lacks a column the model reads or a value does not fit.
 */
export function backgroundFeeds(
  inputs: readonly InputBinding[],
  rows: ReadonlyArray<Readonly<Record<string, Cell>>>,
): FeedArray[] {
  const feeds = allocateFeeds(inputs, rows.length);
  rows.forEach((row, r) => {
    inputs.forEach((binding, i) => {
      const w = binding.columns.length;
      binding.columns.forEach((column, k) => {
        if (!(column in row)) {
          throw new ModelError(
            `manifest explanations.background.${r} has no "${column}" column, which the model reads`,
          );
        }
        const feed = feeds[i] as FeedArray;
        const cell = row[column] ?? null;
        const text = cell === null ? '' : String(cell).trim();
        const at = r * w + k;
        const fail = (what: string) =>
          new ModelError(
            `manifest explanations.background.${r}.${column}: ${JSON.stringify(cell)} is not ${what}`,
          );
        switch (binding.elemType) {
          case 'string':
            (feed as string[])[at] = cell === null ? '' : String(cell);
            break;
          case 'float32':
          case 'float64': {
            const v = text === '' ? Number.NaN : Number(text);
            if (text !== '' && Number.isNaN(v) && text.toLowerCase() !== 'nan') throw fail('a number');
            (feed as Float32Array)[at] = v;
            break;
          }
          case 'int64':
          case 'int32': {
            const v = Number(text);
            if (text === '' || !Number.isInteger(v)) throw fail('an integer');
            if (binding.elemType === 'int64') (feed as BigInt64Array)[at] = BigInt(v);
            else (feed as Int32Array)[at] = v;
            break;
          }
          case 'bool': {
            const lower = text.toLowerCase();
            const b = lower === 'true' || lower === '1' ? 1 : lower === 'false' || lower === '0' ? 0 : -1;
            if (b < 0) throw fail('a boolean');
            (feed as Uint8Array)[at] = b;
            break;
          }
        }
      });
    });
  });
  return feeds;
}

/**
 * Checks a loaded model's manifest background (if any) by scoring it once: throws ModelError naming the row and
 * column of a value the model cannot read, or the onnxruntime failure.
 */
export async function checkExplanationBackground(model: LoadedModel): Promise<void> {
  const rows = model.source?.manifest.explanations?.background;
  if (!rows) return;
  const feeds = backgroundFeeds(model.description.inputs, rows);
  try {
    await new ModelEvaluator(model).evaluate(feeds, rows.length);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError(
      `the model cannot score manifest explanations.background: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
