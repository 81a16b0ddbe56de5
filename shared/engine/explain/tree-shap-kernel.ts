/**
 * The TreeSHAP hot loop (routing, margin, leaf-table walk) as one self-contained factory over flat typed arrays.
 * The factory references nothing outside its own body, so the very same code runs in the calling thread
 * (tree-shap.ts) and, through its source text, in the worker threads of tree-shap-pool.ts: the repo's workers
 * start from eval'd plain JavaScript so they run alike under tsx, vitest and the compiled build (see
 * shared/engine/model/inference.ts).
 */

/** Leaf tables of the B-independent engine (see tree-shap.ts). */
export interface KernelTables {
  /** Per internal node: the bit of its player among the path players of every leaf below it. */
  readonly nodeBit: Int32Array;
  /** Per node: its leaf number, -1 for internal nodes. */
  readonly leafIndex: Int32Array;
  /** Path players of leaf L: leafPlayers[playerStart[L] .. playerStart[L + 1]). */
  readonly playerStart: Int32Array;
  readonly leafPlayers: Int32Array;
  readonly tableStart: Int32Array;
  readonly table: Float64Array;
}

/** Everything the kernel reads: plain typed arrays and numbers, so it can be posted to a worker as is. */
export interface KernelData {
  /** Internal nodes, with their feature, threshold, comparison mode (1..6) and NaN branch. */
  readonly internal: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly mode: Uint8Array;
  readonly missingTrue: Uint8Array;
  /** Ensemble features per row; float ensembles compare float32-rounded values (as onnxruntime does). */
  readonly features: number;
  readonly float32: boolean;
  readonly nodes: number;
  readonly maxDepth: number;
  readonly roots: Int32Array;
  readonly ifTrue: Int32Array;
  readonly ifFalse: Int32Array;
  readonly isLeaf: Uint8Array;
  /** Leaf value per node (0 for internal nodes) and the base added to their sum. */
  readonly leafValue: Float64Array;
  readonly base: number;
  readonly players: number;
  readonly tables: KernelTables | null;
}

/** The kernel's operations. Not re-entrant: scratch buffers are reused. */
export interface TreeShapKernel {
  /** Writes the branch row `x[at .. at + features)` takes at every internal node into dir[offset + node]. */
  route(x: Float64Array, at: number, dir: Uint8Array, offset: number): void;
  /** The ensemble margin of a routed row. */
  margin(dir: Uint8Array, offset: number): number;
  /**
   * Margin-space values from the leaf tables for `rows` rows of `xs` (`features` each): row i's player values go
   * to phi[i · players ..], its margin to margins[i]. Requires tables.
   */
  explainRows(xs: Float64Array, rows: number, phi: Float64Array, margins: Float64Array): void;
}

/** Builds the kernel over `d`. Self-contained on purpose (see the module comment): no outside references. */
export function treeShapKernel(d: KernelData): TreeShapKernel {
  const { internal, feature, threshold, mode, missingTrue, features, float32 } = d;
  const { roots, ifTrue, ifFalse, isLeaf, leafValue, base, players } = d;
  const xs32 = new Float64Array(features);
  const xDir = new Uint8Array(d.nodes);
  const stack = 2 * (d.maxDepth + 1);
  const stackNode = new Int32Array(stack);
  const stackMask = new Int32Array(stack);

  function route(x: Float64Array, at: number, dir: Uint8Array, offset: number): void {
    for (let f = 0; f < features; f++) {
      const v = x[at + f] as number;
      xs32[f] = float32 ? Math.fround(v) : v;
    }
    for (let i = 0; i < internal.length; i++) {
      const v = xs32[feature[i] as number] as number;
      const t = threshold[i] as number;
      let goes: boolean;
      if (Number.isNaN(v)) goes = missingTrue[i] === 1;
      else {
        const m = mode[i];
        goes =
          m === 1
            ? v <= t
            : m === 2
              ? v < t
              : m === 3
                ? v >= t
                : m === 4
                  ? v > t
                  : m === 5
                    ? v === t
                    : v !== t;
      }
      dir[offset + (internal[i] as number)] = goes ? 1 : 0;
    }
  }

  function margin(dir: Uint8Array, offset: number): number {
    let m = base;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t] as number;
      while (isLeaf[node] !== 1) {
        node = dir[offset + node] === 1 ? (ifTrue[node] as number) : (ifFalse[node] as number);
      }
      m += leafValue[node] as number;
    }
    return m;
  }

  // A walk of every tree keeps the mask of path players x satisfies (a player's bit is cleared below a split x
  // does not take); at each leaf the mask picks a table row.
  function tableValues(tables: KernelTables, phi: Float64Array, at: number): void {
    const { nodeBit, leafIndex, playerStart, leafPlayers, tableStart, table } = tables;
    for (let tree = 0; tree < roots.length; tree++) {
      let sp = 0;
      stackNode[sp] = roots[tree] as number;
      stackMask[sp++] = -1;
      while (sp > 0) {
        const n = stackNode[--sp] as number;
        const mask = stackMask[sp] as number;
        if (isLeaf[n] === 1) {
          const leaf = leafIndex[n] as number;
          const p0 = playerStart[leaf] as number;
          const depth = (playerStart[leaf + 1] as number) - p0;
          if (depth === 0) continue;
          const row = (tableStart[leaf] as number) + (mask & ((1 << depth) - 1)) * depth;
          for (let i = 0; i < depth; i++) {
            const p = at + (leafPlayers[p0 + i] as number);
            phi[p] = (phi[p] as number) + (table[row + i] as number);
          }
          continue;
        }
        const bit = nodeBit[n] as number;
        const goesTrue = xDir[n] === 1;
        stackNode[sp] = ifTrue[n] as number;
        stackMask[sp++] = goesTrue ? mask : mask & ~bit;
        stackNode[sp] = ifFalse[n] as number;
        stackMask[sp++] = goesTrue ? mask & ~bit : mask;
      }
    }
  }

  function explainRows(xs: Float64Array, rows: number, phi: Float64Array, margins: Float64Array): void {
    const tables = d.tables;
    if (!tables) throw new Error('TreeSHAP kernel: explainRows needs leaf tables');
    phi.fill(0, 0, rows * players);
    for (let r = 0; r < rows; r++) {
      route(xs, r * features, xDir, 0);
      margins[r] = margin(xDir, 0);
      tableValues(tables, phi, r * players);
    }
  }

  return { route, margin, explainRows };
}
