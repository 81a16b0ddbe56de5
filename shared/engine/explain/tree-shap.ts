/**
 * Exact interventional TreeSHAP (Lundberg et al. 2020, "independent" Tree SHAP) for one scalar output of a tree
 * ensemble, against a fixed background sample, with players = original CSV columns (several ensemble features
 * may belong to one player, e.g. the one-hot columns of one field, and get one exact Shapley value together).
 *
 * Two exact engines compute margin-space values (equal to ≤1e-12, see tests):
 * - leaf tables (default while they fit in memory): per leaf, a table over "which of the path's players does x
 *   satisfy" of each player's share averaged over the whole background, built once per model version; a row
 *   then costs O(trees · leaves · depth) whatever the background size;
 * - recursion per (row, reference, tree): cost grows with the background; used for deep trees.
 * Hand-written because no maintained JavaScript SHAP library exists (npm `shap` is unrelated); this is the
 * measured hot path of explanations, so it works on flat typed arrays with no allocation per row.
 *
 * Output space: for a logistic output the margin values are scaled by one factor per row,
 * (σ(m_x) − base) / (m_x − mean margin), so they are in probability units and add up exactly:
 * base + Σφ = σ(m_x), with base = mean over the background of σ(m_r) (DataRobot's "average prediction").
 * (shap's per-reference rescale would make the cost grow with the background again.)
 */
import { MODE_LEAF, type TreeEnsemble } from './tree-ensemble.js';
import {
  type KernelData,
  type KernelTables,
  type TreeShapKernel,
  treeShapKernel,
} from './tree-shap-kernel.js';

/** Maps an ensemble margin to the explained value. */
export type Link = 'identity' | 'logistic';

/** The scalar an explanation is about: per-node leaf values and a base added to their sum, then a link. */
export interface ScalarTrees {
  readonly ensemble: TreeEnsemble;
  /** Leaf value per node (0 for internal nodes). */
  readonly leafValue: Float64Array;
  readonly base: number;
  readonly link: Link;
}

/** Result for one row: base value, one φ per player, and the explained value (the link of the margin). */
export interface ShapRow {
  readonly base: number;
  readonly phi: Float64Array;
  readonly value: number;
}

const sigmoid = (m: number): number => 1 / (1 + Math.exp(-m));

/** Applies the link to a margin. */
export function applyLink(link: Link, m: number): number {
  return link === 'identity' ? m : sigmoid(m);
}

/** Engine choice: tables when they fit (`auto`), or forced (tests compare the two). */
export type TreeShapEngine = 'auto' | 'tables' | 'recursive';

/** Largest leaf-table total (float64 entries, 8 bytes each) before `auto` falls back to the recursion. */
const MAX_TABLE_ENTRIES = 8_000_000;

/**
 * Interventional TreeSHAP over a fixed background: prepared once per model version, then `explain` per row.
 * Not re-entrant (scratch buffers are reused).
 */
export class TreeShap {
  readonly engine: 'tables' | 'recursive';
  readonly baseValue: number;
  private readonly nodes: number;
  private readonly refs: number;
  /** Branch taken by each reference at each node: refDir[r * nodes + node] = 1 when it goes true. */
  private readonly refDir: Uint8Array;
  private readonly refMargin: Float64Array;
  private readonly meanMargin: number;
  private readonly xDir: Uint8Array;
  /** Per player: 0 undecided, 1 follows x, 2 follows the reference. */
  private readonly side: Uint8Array;
  private readonly stack: Int32Array;
  private readonly walk: (node: number, a: number, b: number, phi: Float64Array) => void;
  private readonly isLeaf: Uint8Array;
  /** Routing, margin and (with the tables engine) the leaf-table walk: shared with the worker pool. */
  private readonly kernel: TreeShapKernel;
  /** What the kernel reads, when the tables engine is in use (the worker pool runs only that engine). */
  readonly kernelData: KernelData | null;
  private readonly oneMargin = new Float64Array(1);
  /** Shapley weights: wPos[a * stride + b] = (a-1)! b! / (a+b)!, wNeg = a! (b-1)! / (a+b)!. */
  private readonly wPos: Float64Array;
  private readonly wNeg: Float64Array;
  private readonly stride: number;
  private refRow = 0;

  constructor(
    private readonly trees: ScalarTrees,
    /** Player of each ensemble feature. */
    private readonly featurePlayer: Int32Array,
    readonly players: number,
    /** Background rows as ensemble feature vectors (already preprocessed). */
    background: readonly Float64Array[],
    engine: TreeShapEngine = 'auto',
  ) {
    const e = trees.ensemble;
    this.nodes = e.mode.length;
    this.refs = background.length;
    this.refDir = new Uint8Array(this.refs * this.nodes);
    this.refMargin = new Float64Array(this.refs);
    this.isLeaf = Uint8Array.from(e.mode, (m) => (m === MODE_LEAF ? 1 : 0));
    const data = kernelData(trees, this.isLeaf, players);
    const routing = treeShapKernel(data);
    background.forEach((row, r) => {
      routing.route(row, 0, this.refDir, r * this.nodes);
      this.refMargin[r] = routing.margin(this.refDir, r * this.nodes);
    });
    this.xDir = new Uint8Array(this.nodes);
    this.side = new Uint8Array(players);
    this.stack = new Int32Array(e.maxDepth + 1);
    this.stride = e.maxDepth + 2;
    this.wPos = new Float64Array(this.stride * this.stride);
    this.wNeg = new Float64Array(this.stride * this.stride);
    const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
    for (let a = 0; a < this.stride; a++) {
      for (let b = 0; b < this.stride; b++) {
        const all = fact(a + b);
        if (a > 0) this.wPos[a * this.stride + b] = (fact(a - 1) * fact(b)) / all;
        if (b > 0) this.wNeg[a * this.stride + b] = (fact(a) * fact(b - 1)) / all;
      }
    }
    this.walk = this.makeWalk();
    const paths = engine === 'recursive' ? null : leafPaths(e, this.isLeaf, featurePlayer);
    const fits = paths !== null && (engine === 'tables' || paths.tableEntries <= MAX_TABLE_ENTRIES);
    const tables = fits && paths ? this.buildTables(paths) : null;
    this.engine = tables ? 'tables' : 'recursive';
    this.kernelData = tables ? { ...data, tables } : null;
    this.kernel = this.kernelData ? treeShapKernel(this.kernelData) : routing;
    let base = 0;
    let meanMargin = 0;
    for (let r = 0; r < this.refs; r++) {
      base += applyLink(trees.link, this.refMargin[r] as number);
      meanMargin += this.refMargin[r] as number;
    }
    this.baseValue = base / this.refs;
    this.meanMargin = meanMargin / this.refs;
  }

  /** Explains one row given as ensemble feature values; `phi` receives one value per player. */
  explain(x: Float64Array, phi: Float64Array): ShapRow {
    if (this.kernelData) {
      this.kernel.explainRows(x, 1, phi, this.oneMargin);
      return this.finish(this.oneMargin[0] as number, phi);
    }
    phi.fill(0);
    this.kernel.route(x, 0, this.xDir, 0);
    const mx = this.kernel.margin(this.xDir, 0);
    this.recursiveValues(phi);
    return this.finish(mx, phi);
  }

  /**
   * Turns margin-space values of a row with margin `mx` into the explained output's units (in place): for a
   * logistic link one factor per row, so base + Σφ = σ(mx) exactly.
   */
  finish(mx: number, phi: Float64Array): ShapRow {
    const fx = applyLink(this.trees.link, mx);
    if (this.trees.link !== 'identity') {
      const d = mx - this.meanMargin;
      const factor = Math.abs(d) > 1e-12 ? (fx - this.baseValue) / d : fx * (1 - fx);
      for (let p = 0; p < this.players; p++) phi[p] = (phi[p] as number) * factor;
    }
    return { base: this.baseValue, phi, value: fx };
  }

  /** The explained value of a row, without explaining it (the link of the margin). */
  value(x: Float64Array): number {
    this.kernel.route(x, 0, this.xDir, 0);
    return applyLink(this.trees.link, this.kernel.margin(this.xDir, 0));
  }

  /** Margin-space values by recursion over every reference. */
  private recursiveValues(phi: Float64Array): void {
    const roots = this.trees.ensemble.roots;
    for (let r = 0; r < this.refs; r++) {
      this.refRow = r * this.nodes;
      for (let t = 0; t < roots.length; t++) this.walk(roots[t] as number, 0, 0, phi);
    }
    const inv = 1 / this.refs;
    for (let p = 0; p < this.players; p++) phi[p] = (phi[p] as number) * inv;
  }

  /**
   * For every leaf and every subset Sx of its path players that x may satisfy: each player's Shapley share of
   * the leaf value, averaged over the background (grouped by which path players each reference satisfies).
   */
  private buildTables(paths: LeafPaths): KernelTables {
    const table = new Float64Array(paths.tableEntries);
    const tableStart = new Int32Array(paths.leafCount);
    let at = 0;
    for (let leaf = 0; leaf < paths.leafCount; leaf++) {
      tableStart[leaf] = at;
      const p0 = paths.playerStart[leaf] as number;
      const d = (paths.playerStart[leaf + 1] as number) - p0;
      const size = 1 << d;
      const v = this.trees.leafValue[paths.leafNode[leaf] as number] as number;
      if (d === 0 || v === 0) {
        at += size * d;
        continue;
      }
      const counts = new Float64Array(size);
      for (let r = 0; r < this.refs; r++) {
        let mask = size - 1;
        const offset = r * this.nodes;
        for (let k = paths.pathStart[leaf] as number; k < (paths.pathStart[leaf + 1] as number); k++) {
          if (this.refDir[offset + (paths.pathNode[k] as number)] !== paths.pathDir[k]) {
            mask &= ~(paths.pathBit[k] as number);
          }
        }
        counts[mask] = (counts[mask] as number) + 1;
      }
      const scale = v / this.refs;
      for (let sx = 0; sx < size; sx++) {
        for (let sr = 0; sr < size; sr++) {
          const n = counts[sr] as number;
          if (n === 0 || (sx | sr) !== size - 1) continue;
          const xOnly = sx & ~sr;
          const rOnly = sr & ~sx;
          const a = popcount(xOnly);
          const b = popcount(rOnly);
          if (a + b === 0) continue;
          const pos = n * scale * (this.wPos[a * this.stride + b] as number);
          const neg = n * scale * (this.wNeg[a * this.stride + b] as number);
          for (let i = 0; i < d; i++) {
            const bit = 1 << i;
            if (xOnly & bit) table[at + sx * d + i] = (table[at + sx * d + i] as number) + pos;
            else if (rOnly & bit) table[at + sx * d + i] = (table[at + sx * d + i] as number) - neg;
          }
        }
      }
      at += size * d;
    }
    const { nodeBit, leafIndex, playerStart, leafPlayers } = paths;
    return { nodeBit, leafIndex, playerStart, leafPlayers, tableStart, table };
  }

  /**
   * Builds the (row, reference, tree) recursion as a closure over flat arrays (the hot loop: no property chains).
   * Where x and the reference disagree on an undecided player, it branches into the x side and the reference
   * side; a leaf reached with a x-side and b reference-side players pays each of them its Shapley share.
   */
  private makeWalk(): (node: number, a: number, b: number, phi: Float64Array) => void {
    const e = this.trees.ensemble;
    const isLeaf = this.isLeaf;
    const nodePlayer = Int32Array.from(e.feature, (f, n) =>
      isLeaf[n] ? -1 : (this.featurePlayer[f] as number),
    );
    const ifTrue = e.ifTrue;
    const ifFalse = e.ifFalse;
    const leafValue = this.trees.leafValue;
    const xDir = this.xDir;
    const refDir = this.refDir;
    const side = this.side;
    const stack = this.stack;
    const wPos = this.wPos;
    const wNeg = this.wNeg;
    const stride = this.stride;
    let depth = 0;
    const walk = (node: number, a: number, b: number, phi: Float64Array): void => {
      let n = node;
      for (;;) {
        if (isLeaf[n] === 1) {
          const v = leafValue[n] as number;
          if (a + b === 0 || v === 0) return;
          const at = a * stride + b;
          const pos = v * (wPos[at] as number);
          const neg = v * (wNeg[at] as number);
          for (let i = 0; i < depth; i++) {
            const p = stack[i] as number;
            phi[p] = (phi[p] as number) + (side[p] === 1 ? pos : -neg);
          }
          return;
        }
        const p = nodePlayer[n] as number;
        const xd = xDir[n];
        const rd = refDir[this.refRow + n];
        const s = side[p];
        if (s === 1 || (s === 0 && xd === rd)) {
          n = xd === 1 ? (ifTrue[n] as number) : (ifFalse[n] as number);
          continue;
        }
        if (s === 2) {
          n = rd === 1 ? (ifTrue[n] as number) : (ifFalse[n] as number);
          continue;
        }
        stack[depth++] = p;
        side[p] = 1;
        walk(xd === 1 ? (ifTrue[n] as number) : (ifFalse[n] as number), a + 1, b, phi);
        side[p] = 2;
        walk(rd === 1 ? (ifTrue[n] as number) : (ifFalse[n] as number), a, b + 1, phi);
        side[p] = 0;
        depth--;
        return;
      }
    };
    return walk;
  }
}

/** The kernel's view of an ensemble (tables added once built). */
function kernelData(trees: ScalarTrees, isLeaf: Uint8Array, players: number): KernelData {
  const e = trees.ensemble;
  const internal = Int32Array.from(Array.from(e.mode.keys()).filter((n) => e.mode[n] !== MODE_LEAF));
  return {
    internal,
    feature: Int32Array.from(internal, (n) => e.feature[n] as number),
    threshold: Float64Array.from(internal, (n) => e.threshold[n] as number),
    mode: Uint8Array.from(internal, (n) => e.mode[n] as number),
    missingTrue: Uint8Array.from(internal, (n) => e.missingTrue[n] as number),
    features: e.sources.length,
    float32: e.float32,
    nodes: e.mode.length,
    maxDepth: e.maxDepth,
    roots: e.roots,
    ifTrue: e.ifTrue,
    ifFalse: e.ifFalse,
    isLeaf,
    leafValue: trees.leafValue,
    base: trees.base,
    players,
    tables: null,
  };
}

/** Root-to-leaf paths of every leaf, flat: the (node, branch, player bit) steps and the distinct path players. */
interface LeafPaths {
  readonly leafCount: number;
  readonly leafNode: Int32Array;
  /** Steps of leaf L: [pathStart[L], pathStart[L + 1]). */
  readonly pathStart: Int32Array;
  readonly pathNode: Int32Array;
  /** Branch the path takes at the node (1 = true). */
  readonly pathDir: Uint8Array;
  /** Bit of the node's player among the leaf's path players. */
  readonly pathBit: Int32Array;
  /** Path players of leaf L: leafPlayers[playerStart[L] .. playerStart[L + 1]). */
  readonly playerStart: Int32Array;
  readonly leafPlayers: Int32Array;
  /** Σ over leaves of 2^d · d. */
  readonly tableEntries: number;
  /** Per internal node: the bit of its player among the path players of every leaf below it. */
  readonly nodeBit: Int32Array;
  /** Per node: its leaf number, -1 for internal nodes. */
  readonly leafIndex: Int32Array;
}

/** Collects every leaf's path, or null when a path has more than 20 distinct players (tables would explode). */
function leafPaths(e: TreeEnsemble, isLeaf: Uint8Array, featurePlayer: Int32Array): LeafPaths | null {
  const leafNode: number[] = [];
  const pathStart: number[] = [0];
  const pathNode: number[] = [];
  const pathDir: number[] = [];
  const pathBit: number[] = [];
  const playerStart: number[] = [0];
  const leafPlayers: number[] = [];
  let tableEntries = 0;
  const steps: Array<{ node: number; dir: number }> = [];
  const nodeBit = new Int32Array(e.mode.length);
  const leafIndex = new Int32Array(e.mode.length).fill(-1);
  let tooDeep = false;
  const visit = (node: number): void => {
    if (tooDeep) return;
    if (isLeaf[node] === 1) {
      const players: number[] = [];
      for (const step of steps) {
        const p = featurePlayer[e.feature[step.node] as number] as number;
        let bit = players.indexOf(p);
        if (bit < 0) bit = players.push(p) - 1;
        pathNode.push(step.node);
        pathDir.push(step.dir);
        pathBit.push(1 << bit);
      }
      if (players.length > 20) tooDeep = true;
      leafIndex[node] = leafNode.length;
      leafNode.push(node);
      pathStart.push(pathNode.length);
      leafPlayers.push(...players);
      playerStart.push(leafPlayers.length);
      tableEntries += (1 << players.length) * players.length;
      return;
    }
    // The bit of a node's player is its first-occurrence position on the path so far, shared by every leaf below.
    const seen: number[] = [];
    for (const step of steps) {
      const p = featurePlayer[e.feature[step.node] as number] as number;
      if (!seen.includes(p)) seen.push(p);
    }
    const player = featurePlayer[e.feature[node] as number] as number;
    const at = seen.indexOf(player);
    nodeBit[node] = 1 << (at < 0 ? seen.length : at);
    steps.push({ node, dir: 1 });
    visit(e.ifTrue[node] as number);
    (steps[steps.length - 1] as { dir: number }).dir = 0;
    visit(e.ifFalse[node] as number);
    steps.pop();
  };
  for (const root of e.roots) visit(root);
  if (tooDeep) return null;
  return {
    leafCount: leafNode.length,
    leafNode: Int32Array.from(leafNode),
    pathStart: Int32Array.from(pathStart),
    pathNode: Int32Array.from(pathNode),
    pathDir: Uint8Array.from(pathDir),
    pathBit: Int32Array.from(pathBit),
    playerStart: Int32Array.from(playerStart),
    leafPlayers: Int32Array.from(leafPlayers),
    tableEntries,
    nodeBit,
    leafIndex,
  };
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
}
