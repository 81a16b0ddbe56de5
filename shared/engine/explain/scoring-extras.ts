/**
 * Explanations and prediction warnings inside a scoring run: the extra output columns, the per-batch work
 * (after onnxruntime scored the batch, before its rows are written) and the cells. BatchScorer creates one only
 * when a run asks for either, so plain scoring keeps its code path.
 */
import type { CsvWriter } from '../csv/csv-writer.js';
import type { TensorData } from '../model/inference.js';
import type { LoadedModel } from '../model/load-model.js';
import type { ModelDescription } from '../model/model-description.js';
import type { ScoringOptions } from '../scoring/scoring-options.js';
import type { Attribution } from './coalitions.js';
import { defaultAlgorithm, type ExplanationAlgorithm, preparedExplainer } from './explainer.js';
import {
  classSlots,
  type ExtraCell,
  explanationColumns,
  OUTLIER_COLUMN,
  qualitativeStrength,
} from './explanation-columns.js';
import type { PredictionWarningBounds } from './explanation-manifest.js';
import { checkExplanationOptions, type ExplanationOptions } from './explanation-options.js';
import { type FeedArray, playerLayout } from './feeds.js';
import { explainedOutputs, readExplained } from './model-outputs.js';
import { assertWarningBounds, warningBounds } from './prediction-warning.js';

/** One explained class of a row: top players by |strength|, with the rest summed. */
interface ExplainedSlot {
  readonly classIndex: number;
  readonly players: Int32Array;
  readonly strengths: Float64Array;
  readonly qualitative: readonly string[] | null;
  readonly base: number;
  readonly remaining: number;
}

/** What the extras computed for one batch of rows. */
export interface BatchExtras {
  /** Per row: its explained class slots, or null when the row is not explained (filtered or failed). */
  readonly explained: Array<ExplainedSlot[] | null>;
  /** Per row: 1 outlier, 0 not, -1 no prediction. */
  readonly outlier: Int8Array;
}

/** The rows of one batch as BatchScorer holds them. */
export interface BatchRows {
  readonly feeds: readonly FeedArray[];
  readonly rows: number;
  readonly failures: ReadonlyArray<string | null>;
}

/**
 * Per-run state of explanations and warnings. Throws at construction (before any output) when the run asks for
 * something the model cannot do: ValidationError/NotSupportedError for explanation settings, ModelError for
 * missing warning bounds.
 */
export class ScoringExtras {
  readonly columns: ReadonlyArray<{ name: string; cell: ExtraCell }>;
  /** Header index of each player (CSV column), whose raw cells ACTUAL_VALUE echoes; empty without explanations. */
  readonly playerFields: Int32Array;
  private readonly model: ModelDescription;
  private readonly players: readonly string[];
  private readonly algorithm: ExplanationAlgorithm;
  private readonly explanations: ExplanationOptions | null;
  private readonly warnings: boolean;
  private readonly classNameIndex: Int32Array | null;

  private constructor(
    private readonly loaded: LoadedModel,
    private readonly options: ScoringOptions,
    header: readonly string[],
  ) {
    const m = loaded.description;
    this.model = m;
    const config = loaded.source?.manifest.explanations;
    this.explanations = options.explanations ?? null;
    this.warnings = wantsWarnings(m, options);
    this.algorithm = this.explanations?.algorithm ?? defaultAlgorithm(m, config);
    this.players = playerLayout(m.inputs).columns;
    const columns: Array<{ name: string; cell: ExtraCell }> = [];
    if (this.warnings) {
      assertWarningBounds(loaded, options.predictionWarning?.bounds);
      columns.push({ name: OUTLIER_COLUMN, cell: { kind: 'outlier' } });
    }
    if (this.explanations) {
      checkExplanationOptions(m, config?.background !== undefined, this.explanations);
      columns.push(...explanationColumns(m, this.explanations, this.algorithm));
    }
    this.columns = columns;
    this.playerFields = this.explanations
      ? Int32Array.from(this.players, (c) => header.indexOf(c))
      : new Int32Array(0);
    const names = this.explanations?.classNames;
    this.classNameIndex =
      names && m.targetType === 'Multiclass' ? Int32Array.from(names, (c) => m.classLabels.indexOf(c)) : null;
  }

  /** Extras for a run, or null when it asks for neither explanations nor (applicable) prediction warnings. */
  static create(
    loaded: LoadedModel,
    options: ScoringOptions,
    header: readonly string[],
  ): ScoringExtras | null {
    if (!options.explanations && !wantsWarnings(loaded.description, options)) return null;
    return new ScoringExtras(loaded, options, header);
  }

  /** Computes explanations and warnings of a scored batch. `results` holds one onnxruntime result per `group` rows. */
  async process(
    batch: BatchRows,
    results: ReadonlyArray<Record<string, TensorData>>,
    group: number,
  ): Promise<BatchExtras> {
    const k = explainedOutputs(this.model);
    const fx = new Float64Array(batch.rows * k);
    results.forEach((r, g) => {
      readExplained(this.model, r, Math.min(group, batch.rows - g * group), fx, g * group);
    });
    const outlier = new Int8Array(batch.rows).fill(-1);
    if (this.warnings) {
      const bounds: PredictionWarningBounds = await warningBounds(
        this.loaded,
        this.options.predictionWarning?.bounds,
      );
      for (let row = 0; row < batch.rows; row++) {
        if (batch.failures[row] !== null) continue;
        const p = fx[row] as number;
        outlier[row] = p < bounds.lower || p > bounds.upper ? 1 : 0;
      }
    }
    const explained: Array<ExplainedSlot[] | null> = new Array(batch.rows).fill(null);
    const options = this.explanations;
    if (options) {
      const selected: number[] = [];
      for (let row = 0; row < batch.rows; row++) {
        if (batch.failures[row] === null && this.passesThresholds(options, fx[row * k] as number))
          selected.push(row);
      }
      if (selected.length > 0) {
        const explainer = await preparedExplainer(this.loaded, this.algorithm);
        const selectedFx = new Float64Array(selected.length * k);
        selected.forEach((row, i) => selectedFx.set(fx.subarray(row * k, (row + 1) * k), i * k));
        const attributions = await explainer.explain(batch.feeds, selected, selectedFx);
        selected.forEach((row, i) => {
          explained[row] = this.slotsOf(options, attributions[i] as Attribution);
        });
      }
    }
    return { explained, outlier };
  }

  /** DataRobot's row filter: explain when no threshold is set, or p > thresholdHigh, or p < thresholdLow. */
  private passesThresholds(options: ExplanationOptions, p: number): boolean {
    if (options.thresholdHigh === null && options.thresholdLow === null) return true;
    return (
      (options.thresholdHigh !== null && p > options.thresholdHigh) ||
      (options.thresholdLow !== null && p < options.thresholdLow)
    );
  }

  private slotsOf(options: ExplanationOptions, a: Attribution): ExplainedSlot[] {
    const m = this.players.length;
    const classes = this.explainedClasses(options, a.value);
    return classes.map((c) => {
      const column = this.model.targetType === 'Multiclass' ? c : 0;
      const phi = a.phi.subarray(column * m, (column + 1) * m);
      const xemp = this.algorithm === 'xemp';
      // XEMP never lists zero-impact features; SHAP lists every column (no column limit).
      const order = Array.from({ length: m }, (_, j) => j)
        .filter((j) => !xemp || phi[j] !== 0)
        .sort((x, y) => Math.abs(phi[y] as number) - Math.abs(phi[x] as number) || x - y);
      const top = order.slice(0, options.maxExplanations);
      let remaining = 0;
      for (const j of order.slice(options.maxExplanations)) remaining += phi[j] as number;
      const strengths = Float64Array.from(top, (j) => phi[j] as number);
      let qualitative: string[] | null = null;
      if (xemp) {
        let norm = 0;
        for (const j of order.slice(0, 10)) norm += Math.abs(phi[j] as number);
        qualitative = Array.from(strengths, (s) => qualitativeStrength(s, norm, m));
      }
      return {
        classIndex: c,
        players: Int32Array.from(top),
        strengths,
        qualitative,
        base: a.base[column] as number,
        remaining,
      };
    });
  }

  /** Class indices a multiclass row explains: the named classes, or the top ones by probability. */
  private explainedClasses(options: ExplanationOptions, value: Float64Array): number[] {
    if (this.model.targetType !== 'Multiclass') return [0];
    if (this.classNameIndex) return Array.from(this.classNameIndex);
    return Array.from({ length: value.length }, (_, c) => c)
      .sort((x, y) => (value[y] as number) - (value[x] as number) || x - y)
      .slice(0, classSlots(this.model, options));
  }

  /**
   * Writes one extra cell of a row. `cells` holds the raw [start, end) offsets into `block` of the row's player
   * fields (start -1 for an empty field, written `nan` as DataRobot does).
   */
  write(
    out: CsvWriter,
    cell: ExtraCell,
    extras: BatchExtras,
    row: number,
    block: Uint8Array,
    cells: Int32Array,
  ): void {
    if (cell.kind === 'outlier') {
      const o = extras.outlier[row] as number;
      if (o < 0) out.empty();
      else out.text(o === 1 ? 'True' : 'False');
      return;
    }
    const slots = extras.explained[row];
    if (!slots) {
      out.empty();
      return;
    }
    switch (cell.kind) {
      case 'explainedClass':
        out.text(this.model.classLabels[(slots[cell.slot] as ExplainedSlot).classIndex] as string);
        return;
      case 'shapBase':
        out.number((slots[0] as ExplainedSlot).base);
        return;
      case 'shapRemaining':
        out.number((slots[0] as ExplainedSlot).remaining);
        return;
      case 'explanation': {
        const slot = slots[cell.slot] as ExplainedSlot;
        if (cell.rank >= slot.players.length) {
          out.empty();
          return;
        }
        const player = slot.players[cell.rank] as number;
        if (cell.field === 'name') out.text(this.players[player] as string);
        else if (cell.field === 'strength') out.number(slot.strengths[cell.rank] as number);
        else if (cell.field === 'qualitative') {
          if (slot.qualitative) out.text(slot.qualitative[cell.rank] as string);
          else out.empty();
        } else {
          const at = (row * this.playerFields.length + player) * 2;
          const start = cells[at] as number;
          if (start < 0) out.text('nan');
          else out.raw(block, start, cells[at + 1] as number);
        }
      }
    }
  }
}

/** Prediction warnings apply to regression models only (DataRobot ignores the flag for classifiers). */
function wantsWarnings(model: ModelDescription, options: ScoringOptions): boolean {
  return options.predictionWarning?.enabled === true && model.targetType === 'Regression';
}
