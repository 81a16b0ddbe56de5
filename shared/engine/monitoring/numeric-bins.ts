/**
 * Bin lookup for numeric baseline edges in O(1): a fine uniform grid over [first edge, last edge) maps each cell
 * to its bin, and only a cell an edge cuts falls back to a binary search. On random data a plain binary search
 * mispredicts a branch at every step; this is the monitoring hot loop (one lookup per feature per row).
 */

/** Grid cells per edge span. */
const CELLS_PER_EDGE = 64;

export class NumericBins {
  /** Bins, NaN's included: edges.length + 1 value bins, then missing. */
  readonly count: number;
  private readonly edges: Float64Array;
  private readonly lo: number;
  private readonly hi: number;
  private readonly scale: number;
  /** Bin of each grid cell, or -1 when an edge cuts the cell. */
  private readonly table: Int16Array;

  /** `edges` strictly ascending (the baseline schema checks it). */
  constructor(edges: readonly number[]) {
    this.edges = Float64Array.from(edges);
    this.count = edges.length + 2;
    this.lo = this.edges[0] as number;
    this.hi = this.edges[this.edges.length - 1] as number;
    const cells = Math.max(1, (edges.length - 1) * CELLS_PER_EDGE);
    this.scale = this.hi > this.lo ? cells / (this.hi - this.lo) : 0;
    // One spare cell (-1) for a value that rounds onto the grid's end.
    this.table = new Int16Array(cells + 1).fill(-1);
    // A cell is clean when no edge lies within a margin of it, far wider than the rounding of the cell index.
    const margin = this.scale > 0 ? 1e-6 / this.scale : 0;
    for (let c = 0; c < cells && this.scale > 0; c++) {
      const from = this.search(this.lo + c / this.scale - margin);
      const to = this.search(this.lo + (c + 1) / this.scale + margin);
      this.table[c] = from === to ? from : -1;
    }
  }

  /** The bin of `v`: 0 below the first edge, i in [edges[i-1], edges[i]), edges.length from the last edge up, count-1 for NaN. */
  binOf(v: number): number {
    if (v < this.lo) return 0;
    if (v >= this.hi) return this.edges.length;
    if (Number.isNaN(v)) return this.count - 1;
    const cell = this.table[((v - this.lo) * this.scale) | 0] as number;
    return cell >= 0 ? cell : this.search(v);
  }

  /** Number of edges at or below v. */
  private search(v: number): number {
    let lo = 0;
    let hi = this.edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.edges[mid] as number) <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
