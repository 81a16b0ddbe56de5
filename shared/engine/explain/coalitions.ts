/**
 * Model-agnostic attributions on original CSV columns, computed by running hybrid rows (some columns from the
 * explained row, the rest from a background row) through onnxruntime in large batches:
 * - `exactShapley`: interventional Shapley values by enumerating every coalition (2^M · B evaluations per row);
 * - `sampledShapley`: antithetic permutation sampling within a per-row evaluation budget; every permutation's
 *   marginal contributions telescope to f(x) − base, so the values still add up exactly;
 * - `oneAtATime`: replaces one column at a time (M · B evaluations; callers cut B to the budget), the basis of the exact linear-model path
 *   and of the "xemp" emulation.
 * Every function explains `K` outputs per row at once (one per class for multiclass).
 */
import type { InputBinding } from '../model/model-description.js';
import { allocateFeeds, copyPlayer, copyRow, type FeedArray, type PlayerLayout } from './feeds.js';
import type { ModelEvaluator } from './model-outputs.js';

/** The rows being explained and the background they are compared with. */
export interface CoalitionContext {
  readonly inputs: readonly InputBinding[];
  readonly layout: PlayerLayout;
  readonly evaluator: ModelEvaluator;
  readonly background: readonly FeedArray[];
  readonly backgroundRows: number;
  /** Model outputs for each background row (K per row). */
  readonly backgroundValues: Float64Array;
}

/** Attributions for one row: K base values, K·M values (output-major: phi[k * M + j]), K explained values. */
export interface Attribution {
  readonly base: Float64Array;
  readonly phi: Float64Array;
  readonly value: Float64Array;
}

/** Hybrid rows per onnxruntime batch assembled before evaluation. */
const HYBRIDS_PER_BATCH = 16_384;

/** Mean of the background values over the first `refs` references, per output. */
export function meanOf(ctx: CoalitionContext, refs: number): Float64Array {
  const k = ctx.evaluator.outputs;
  const mean = new Float64Array(k);
  for (let r = 0; r < refs; r++)
    for (let c = 0; c < k; c++)
      mean[c] = (mean[c] as number) + (ctx.backgroundValues[r * k + c] as number) / refs;
  return mean;
}

/**
 * Evaluates v(S) = mean over the first `refs` references r of f(x with the players in S, r elsewhere) for every
 * requested coalition of every row. `masks[i]` is a bitmask over players (bit j = player j comes from x).
 */
async function coalitionValues(
  ctx: CoalitionContext,
  rows: readonly FeedArray[],
  rowIndex: readonly number[],
  masks: readonly (readonly number[])[],
  refs: number,
): Promise<Float64Array[]> {
  const k = ctx.evaluator.outputs;
  const jobs: Array<{ row: number; mask: number; out: Float64Array; at: number }> = [];
  const results = masks.map((m) => new Float64Array(m.length * k));
  rowIndex.forEach((row, i) => {
    (masks[i] as readonly number[]).forEach((mask, at) => {
      jobs.push({ row, mask, out: results[i] as Float64Array, at });
    });
  });
  const perBatch = Math.max(1, Math.floor(HYBRIDS_PER_BATCH / refs));
  const players = ctx.layout.cells.length;
  for (let start = 0; start < jobs.length; start += perBatch) {
    const batch = jobs.slice(start, start + perBatch);
    const feeds = allocateFeeds(ctx.inputs, batch.length * refs);
    let h = 0;
    for (const job of batch) {
      for (let r = 0; r < refs; r++, h++) {
        copyRow(ctx.inputs, ctx.background, r, feeds, h);
        for (let j = 0; j < players; j++) {
          if ((job.mask >>> j) & 1)
            copyPlayer(ctx.inputs, ctx.layout.cells[j] ?? [], rows, job.row, feeds, h);
        }
      }
    }
    const values = await ctx.evaluator.evaluate(feeds, h);
    batch.forEach((job, b) => {
      for (let c = 0; c < k; c++) {
        let sum = 0;
        for (let r = 0; r < refs; r++) sum += values[(b * refs + r) * k + c] as number;
        job.out[job.at * k + c] = sum / refs;
      }
    });
  }
  return results;
}

/**
 * Exact interventional Shapley values of every player by enumerating all 2^M coalitions (M ≤ 30). `fx` holds the
 * model outputs of the explained rows (K per row), so the full coalition costs nothing.
 */
export async function exactShapley(
  ctx: CoalitionContext,
  rows: readonly FeedArray[],
  rowIndex: readonly number[],
  fx: Float64Array,
): Promise<Attribution[]> {
  const m = ctx.layout.cells.length;
  const k = ctx.evaluator.outputs;
  const full = 2 ** m - 1;
  const inner = Array.from({ length: Math.max(0, full - 1) }, (_, i) => i + 1);
  const values = await coalitionValues(
    ctx,
    rows,
    rowIndex,
    rowIndex.map(() => inner),
    ctx.backgroundRows,
  );
  const base = meanOf(ctx, ctx.backgroundRows);
  const weight = shapleyWeights(m);
  return rowIndex.map((_, i) => {
    const v = values[i] as Float64Array;
    const value = fx.slice(i * k, (i + 1) * k);
    const at = (mask: number, c: number): number =>
      mask === 0
        ? (base[c] as number)
        : mask === full
          ? (value[c] as number)
          : (v[(mask - 1) * k + c] as number);
    const phi = new Float64Array(k * m);
    for (let mask = 0; mask < full; mask++) {
      const size = popcount(mask);
      for (let j = 0; j < m; j++) {
        if ((mask >>> j) & 1) continue;
        const w = weight[size] as number;
        for (let c = 0; c < k; c++)
          phi[c * m + j] = (phi[c * m + j] as number) + w * (at(mask | (1 << j), c) - at(mask, c));
      }
    }
    return { base, phi, value };
  });
}

/**
 * Shapley values estimated from antithetic permutations, within `budget` model evaluations per row: each
 * permutation costs (M − 1) · B evaluations; with too small a budget for two permutations the background is cut
 * to its first rows. Seeded per row from the row's own values, so results do not depend on batching.
 */
export async function sampledShapley(
  ctx: CoalitionContext,
  rows: readonly FeedArray[],
  rowIndex: readonly number[],
  fx: Float64Array,
  budget: number,
  seedOf: (row: number) => number,
): Promise<Attribution[]> {
  const m = ctx.layout.cells.length;
  const k = ctx.evaluator.outputs;
  const perPermutation = Math.max(1, m - 1);
  const refs = Math.max(1, Math.min(ctx.backgroundRows, Math.floor(budget / (2 * perPermutation))));
  const pairs = Math.max(1, Math.floor(budget / (2 * perPermutation * refs)));
  const orders = rowIndex.map((row) => permutations(m, pairs, seedOf(row)));
  const masks = orders.map((perms) => {
    const list: number[] = [];
    for (const order of perms) {
      let mask = 0;
      for (let step = 0; step < m - 1; step++) {
        mask |= 1 << (order[step] as number);
        list.push(mask);
      }
    }
    return list;
  });
  const values = await coalitionValues(ctx, rows, rowIndex, masks, refs);
  const base = meanOf(ctx, refs);
  return rowIndex.map((_, i) => {
    const v = values[i] as Float64Array;
    const value = fx.slice(i * k, (i + 1) * k);
    const phi = new Float64Array(k * m);
    let at = 0;
    for (const order of orders[i] as number[][]) {
      const prev = Float64Array.from(base);
      for (let step = 0; step < m; step++) {
        const j = order[step] as number;
        for (let c = 0; c < k; c++) {
          const next = step === m - 1 ? (value[c] as number) : (v[(at + step) * k + c] as number);
          phi[c * m + j] = (phi[c * m + j] as number) + next - (prev[c] as number);
          prev[c] = next;
        }
      }
      at += m - 1;
    }
    const n = (orders[i] as number[][]).length;
    for (let q = 0; q < phi.length; q++) phi[q] = (phi[q] as number) / n;
    return { base, phi, value };
  });
}

/**
 * f(x with player j taken from reference r), for every player j and reference r: M · B evaluations per row.
 * Returns per row an array [j][r * K + c].
 */
export async function oneAtATime(
  ctx: CoalitionContext,
  rows: readonly FeedArray[],
  rowIndex: readonly number[],
): Promise<Float64Array[][]> {
  const m = ctx.layout.cells.length;
  const k = ctx.evaluator.outputs;
  const refs = ctx.backgroundRows;
  const total = rowIndex.length * m * refs;
  const out = rowIndex.map(() => Array.from({ length: m }, () => new Float64Array(refs * k)));
  const perBatch = Math.max(refs, Math.floor(HYBRIDS_PER_BATCH / refs) * refs);
  for (let start = 0; start < total; start += perBatch) {
    const n = Math.min(perBatch, total - start);
    const feeds = allocateFeeds(ctx.inputs, n);
    for (let h = 0; h < n; h++) {
      const g = start + h;
      const r = g % refs;
      const j = Math.floor(g / refs) % m;
      const i = Math.floor(g / (refs * m));
      copyRow(ctx.inputs, rows, rowIndex[i] as number, feeds, h);
      copyPlayer(ctx.inputs, ctx.layout.cells[j] ?? [], ctx.background, r, feeds, h);
    }
    const values = await ctx.evaluator.evaluate(feeds, n);
    for (let h = 0; h < n; h++) {
      const g = start + h;
      const r = g % refs;
      const j = Math.floor(g / refs) % m;
      const i = Math.floor(g / (refs * m));
      const target = (out[i] as Float64Array[])[j] as Float64Array;
      for (let c = 0; c < k; c++) target[r * k + c] = values[h * k + c] as number;
    }
  }
  return out;
}

/** Evaluations per row of each agnostic method, to choose one within a budget. */
export function exactCost(players: number, refs: number): number {
  return (2 ** players - 2) * refs;
}

function shapleyWeights(m: number): Float64Array {
  // w(s) = s! (m - s - 1)! / m!, built as a ratio of products to stay finite for m up to 30.
  const w = new Float64Array(m);
  for (let s = 0; s < m; s++) {
    let value = 1 / m;
    for (let i = 1; i <= s; i++) value *= i / (m - i);
    w[s] = value;
  }
  return w;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
}

/** `pairs` random permutations of 0..m-1, each followed by its reverse (antithetic sampling). */
function permutations(m: number, pairs: number, seed: number): number[][] {
  let state = seed >>> 0 || 0x9e3779b9;
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  const out: number[][] = [];
  for (let p = 0; p < pairs; p++) {
    const order = Array.from({ length: m }, (_, i) => i);
    for (let i = m - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    out.push(order, [...order].reverse());
  }
  return out;
}
