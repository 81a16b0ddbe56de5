/**
 * Model input rows as the engine holds them (one typed array per ONNX input, row-major), and the copies the
 * explainers need: whole rows, and one player's (CSV column's) cells from another row.
 */
import type { TensorData } from '../model/inference.js';
import { allocateFeedArray, type FeedArray, type InputBinding } from '../model/model-description.js';

export type { FeedArray };

/** Where a player's (CSV column's) values sit: (input index, position within the row) pairs. */
export type PlayerCells = ReadonlyArray<{ readonly input: number; readonly position: number }>;

/** The distinct CSV columns feeding a model, in input order, and the cells each one fills. */
export interface PlayerLayout {
  readonly columns: readonly string[];
  readonly cells: readonly PlayerCells[];
}

/** Players of a model: every distinct CSV column that feeds one of its inputs. */
export function playerLayout(inputs: readonly InputBinding[]): PlayerLayout {
  const columns: string[] = [];
  const cells: Array<Array<{ input: number; position: number }>> = [];
  inputs.forEach((binding, input) => {
    binding.columns.forEach((column, position) => {
      let p = columns.indexOf(column);
      if (p < 0) {
        p = columns.length;
        columns.push(column);
        cells.push([]);
      }
      cells[p]?.push({ input, position });
    });
  });
  return { columns, cells };
}

/** Allocates feeds for `rows` rows of every input. */
export function allocateFeeds(inputs: readonly InputBinding[], rows: number): FeedArray[] {
  return inputs.map((b) => allocateFeedArray(b.elemType, rows * b.columns.length));
}

/** Copies row `srcRow` of `src` into row `dstRow` of `dst` (same inputs). */
export function copyRow(
  inputs: readonly InputBinding[],
  src: readonly FeedArray[],
  srcRow: number,
  dst: FeedArray[],
  dstRow: number,
): void {
  for (let i = 0; i < inputs.length; i++) {
    const w = (inputs[i] as InputBinding).columns.length;
    const s = src[i] as unknown[];
    const d = dst[i] as unknown[];
    for (let k = 0; k < w; k++) d[dstRow * w + k] = s[srcRow * w + k];
  }
}

/** Copies one player's cells from row `srcRow` of `src` into row `dstRow` of `dst`. */
export function copyPlayer(
  inputs: readonly InputBinding[],
  cells: PlayerCells,
  src: readonly FeedArray[],
  srcRow: number,
  dst: FeedArray[],
  dstRow: number,
): void {
  for (const { input, position } of cells) {
    const w = (inputs[input] as InputBinding).columns.length;
    (dst[input] as unknown[])[dstRow * w + position] = (src[input] as unknown[])[srcRow * w + position];
  }
}

/** A cell as a number (NaN when it is not numeric), for replaying preprocessing in JS. */
export function numericCell(feed: FeedArray, index: number): number {
  const v = feed[index];
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return v.trim() === '' ? Number.NaN : Number(v);
  return v ?? Number.NaN;
}

/** Tensors for rows [first, first + rows) of a feed set. */
export function tensorsOf(
  inputs: readonly InputBinding[],
  feeds: readonly FeedArray[],
  first: number,
  rows: number,
): Record<string, TensorData> {
  const out: Record<string, TensorData> = {};
  inputs.forEach((b, i) => {
    const w = b.columns.length;
    const feed = feeds[i] as FeedArray;
    // A copy, not a view: onnxruntime-node reads typed arrays from offset 0 of their buffer.
    out[b.name] = {
      type: b.elemType,
      data: feed.slice(first * w, (first + rows) * w),
      dims: b.dimsFor(rows),
    };
  });
  return out;
}
