import { ScoringError } from '../../domain/errors.js';
import type { CsvWriter } from '../csv/csv-writer.js';
import type { CsvDialect } from '../csv/dialect.js';
import { NumberParser } from '../csv/parse-number.js';
import { CsvEncodingError, FIELD_MALFORMED, fieldText, RecordTokenizer } from '../csv/record-tokenizer.js';
import { type BatchExtras, ScoringExtras } from '../explain/scoring-extras.js';
import type { TensorData } from '../model/inference.js';
import type { LoadedModel } from '../model/load-model.js';
import { allocateFeedArray, type FeedArray, type ModelDescription } from '../model/model-description.js';
import type { BatchObserver } from '../monitoring/observer.js';
import { type BoundInput, bindInputs } from './input-plan.js';
import { type OutputColumn, outputLayout } from './output-layout.js';
import type { ScoringOptions } from './scoring-options.js';

/** Row counts of a scoring run, as DataRobot reports them. */
export interface ScoreCounts {
  /** Data rows read (blank lines excluded). */
  rows: number;
  scoredRows: number;
  failedRows: number;
  /** Blank lines, which carry no row to score. */
  skippedRows: number;
}

export function emptyCounts(): ScoreCounts {
  return { rows: 0, scoredRows: 0, failedRows: 0, skippedRows: 0 };
}

/** One batch being filled, computed or written. */
interface BatchSlot {
  feeds: FeedArray[];
  /** Raw start/end offsets into `block` of each passthrough field, per row. */
  passthrough: Int32Array;
  failures: Array<string | null>;
  rows: number;
  block: Uint8Array;
  /** Raw start/end offsets into `block` of each explained column's field, per row (start -1: empty field). */
  cells: Int32Array;
  /** Explanations and warnings of the batch, once computed (only with ScoringExtras). */
  extras: BatchExtras | null;
  /** Text of the observer's columns, row-major (only with an observer that asks for text columns). */
  observed: string[];
}

const STATUS_OK = 'OK';

/**
 * Scores blocks of whole CSV records against one model: fills input tensors straight from the record bytes,
 * runs onnxruntime once per batch and writes DataRobot-format output records. One instance per run; not
 * re-entrant (buffers are reused between batches).
 */
export class BatchScorer {
  readonly layout: readonly OutputColumn[];
  private readonly model: ModelDescription;
  private readonly inputs: readonly BoundInput[];
  private readonly tokenizer: RecordTokenizer;
  private readonly numbers = new NumberParser();
  private readonly capacity: number;
  private readonly passthroughIndices: Int32Array;
  /** Two batches: one is filled from CSV while the other is with onnxruntime (see dispatch). */
  private readonly slots: [BatchSlot, BatchSlot];
  private slot: BatchSlot;
  /** The dispatched batch: resolves once its rows are written. */
  private inFlight: Promise<void> | null = null;
  private readonly threshold: number;
  private readonly negativeClass: string | null;
  /** Explanations / prediction warnings; null when the run asks for neither (the plain scoring path). */
  private readonly extras: ScoringExtras | null;
  /** Monitoring's per-batch hook; null when the run is not monitored. */
  private readonly observer: BatchObserver | null;
  /** Header indices of the columns the observer reads as text (e.g. the association id). */
  private readonly observedFields: Int32Array;

  constructor(
    private readonly loaded: LoadedModel,
    private readonly options: ScoringOptions,
    private readonly header: readonly string[],
    dialect: CsvDialect,
  ) {
    this.model = loaded.description;
    this.inputs = bindInputs(this.model.inputs, header);
    this.extras = ScoringExtras.create(loaded, options, header);
    this.layout = outputLayout(this.model, options, header, this.extras?.columns ?? []);
    this.tokenizer = new RecordTokenizer(dialect);
    const fixed = this.model.fixedBatch;
    this.capacity = fixed ? Math.max(fixed, Math.ceil(options.batchRows / fixed) * fixed) : options.batchRows;
    this.passthroughIndices = Int32Array.from(
      this.layout.flatMap((c) => (c.cell.kind === 'passthrough' ? [c.cell.inputIndex] : [])),
    );
    this.observer =
      options.observe?.({
        model: this.model,
        header,
        inputColumns: this.inputs.map((input) => input.columnIndices),
      }) ?? null;
    this.observedFields = Int32Array.from(this.observer?.textColumns ?? []);
    this.slots = [this.newSlot(), this.newSlot()];
    this.slot = this.slots[0];
    this.threshold = options.predictionThreshold ?? this.model.predictionThreshold;
    this.negativeClass = this.model.classLabels.find((c) => c !== this.model.positiveClass) ?? null;
  }

  /** Writes the output header record. */
  writeHeader(out: CsvWriter): void {
    for (const column of this.layout) out.text(column.name);
    out.endRecord();
  }

  /**
   * Scores every record in `block[start, end)` (whole records, no header), appending output records to `out` in
   * input order. The last batch of a block may still be computing when this returns: call finish() after the last
   * block. Throws ScoringError on a failed row when abortOnError is set.
   */
  async scoreBlock(
    block: Uint8Array,
    start: number,
    end: number,
    out: CsvWriter,
    counts: ScoreCounts,
  ): Promise<void> {
    this.slot.block = block;
    const t = this.tokenizer;
    let pos = start;
    while (pos < end) {
      const next = t.next(block, pos, end, true);
      if (t.fieldCount === 1 && t.recordEnd === t.recordStart) {
        counts.skippedRows++;
      } else {
        counts.rows++;
        this.addRow(counts);
        if (this.slot.rows === this.capacity) {
          await this.dispatch(out, counts);
          this.slot.block = block;
        }
      }
      pos = next;
    }
    // Passthrough offsets point into this block, so a batch never spans two blocks.
    await this.dispatch(out, counts);
  }

  /** Waits for the last dispatched batch and writes it. */
  async finish(): Promise<void> {
    const last = this.inFlight;
    this.inFlight = null;
    await last;
  }

  /**
   * Sends the filled batch to onnxruntime and switches to the other slot, after the batch that slot held has been
   * written: rows leave in order while parsing the next batch overlaps inference of this one.
   */
  private async dispatch(out: CsvWriter, counts: ScoreCounts): Promise<void> {
    const slot = this.slot;
    if (slot.rows === 0) return;
    const results = this.extras ? this.runWithExtras(slot, this.extras) : this.runSlot(slot);
    const previous = this.inFlight;
    const written = (previous ?? Promise.resolve()).then(async () =>
      this.writeSlot(out, slot, await results, counts),
    );
    written.catch(() => {}); // observed by finish() or the next dispatch; avoids an unhandled rejection meanwhile
    this.inFlight = written;
    await previous;
    this.slot = slot === this.slots[0] ? this.slots[1] : this.slots[0];
    this.slot.rows = 0;
  }

  /** Scores a slot, then computes its explanations and warnings before its rows are written. */
  private async runWithExtras(
    slot: BatchSlot,
    extras: ScoringExtras,
  ): Promise<Array<Record<string, TensorData>>> {
    const results = await this.runSlot(slot);
    slot.extras = await extras.process(slot, results, this.model.fixedBatch ?? slot.rows);
    return results;
  }

  private newSlot(): BatchSlot {
    return {
      feeds: this.inputs.map((input) => allocateFeedArray(input.elemType, this.capacity * input.width)),
      passthrough: new Int32Array(this.capacity * this.passthroughIndices.length * 2),
      failures: new Array<string | null>(this.capacity).fill(null),
      rows: 0,
      block: new Uint8Array(0),
      cells: new Int32Array(this.capacity * (this.extras?.playerFields.length ?? 0) * 2),
      extras: null,
      observed: new Array<string>(this.capacity * this.observedFields.length).fill(''),
    };
  }

  private addRow(counts: ScoreCounts): void {
    const t = this.tokenizer;
    const slot = this.slot;
    const row = slot.rows++;
    const pIdx = this.passthroughIndices;
    const pOff = row * pIdx.length * 2;
    for (let p = 0; p < pIdx.length; p++) {
      const field = pIdx[p] as number;
      const present = field < t.fieldCount;
      slot.passthrough[pOff + 2 * p] = present ? (t.rawStarts[field] as number) : -1;
      slot.passthrough[pOff + 2 * p + 1] = present ? (t.rawEnds[field] as number) : -1;
    }
    if (this.extras !== null) this.recordCells(row);
    if (this.observedFields.length > 0) this.recordObserved(row);
    let failure: string | null = null;
    if (t.fieldCount !== this.header.length) {
      failure = `expected ${this.header.length} fields, found ${t.fieldCount}`;
    } else {
      failure = this.fillFeeds(row);
    }
    slot.failures[row] = failure;
    if (failure !== null && this.options.abortOnError) {
      throw new ScoringError(
        `row ${counts.rows}: ${failure} (the job stops at the first failed row because abortOnError is true)`,
      );
    }
  }

  /** Keeps the text of the observer's columns of a row ('' when absent or not decodable). */
  private recordObserved(row: number): void {
    const t = this.tokenizer;
    const fields = this.observedFields;
    for (let j = 0; j < fields.length; j++) {
      const field = fields[j] as number;
      let text = '';
      try {
        if (field < t.fieldCount) text = fieldText(this.slot.block, t, field);
      } catch (error) {
        if (!(error instanceof CsvEncodingError)) throw error;
      }
      this.slot.observed[row * fields.length + j] = text;
    }
  }

  /** Records where the explained columns' fields of a row sit, for EXPLANATION_<i>_ACTUAL_VALUE. */
  private recordCells(row: number): void {
    const t = this.tokenizer;
    const fields = (this.extras as ScoringExtras).playerFields;
    const off = row * fields.length * 2;
    for (let p = 0; p < fields.length; p++) {
      const field = fields[p] as number;
      const empty = field < 0 || field >= t.fieldCount || t.starts[field] === t.ends[field];
      this.slot.cells[off + 2 * p] = empty ? -1 : (t.rawStarts[field] as number);
      this.slot.cells[off + 2 * p + 1] = empty ? -1 : (t.rawEnds[field] as number);
    }
  }

  /** Writes one row into every input tensor; returns the reason the row cannot be scored, or null. */
  private fillFeeds(row: number): string | null {
    const t = this.tokenizer;
    const block = this.slot.block;
    let failure: string | null = null;
    for (let i = 0; i < this.inputs.length; i++) {
      const input = this.inputs[i] as BoundInput;
      const feed = this.slot.feeds[i] as FeedArray;
      const cols = input.columnIndices;
      const base = row * input.width;
      for (let k = 0; k < cols.length; k++) {
        const field = cols[k] as number;
        if (t.kinds[field] === FIELD_MALFORMED) {
          failure ??= `column "${this.header[field]}": malformed quoting`;
          continue;
        }
        const s = t.starts[field] as number;
        const e = t.ends[field] as number;
        switch (input.elemType) {
          case 'float32':
          case 'float64': {
            const v = this.numbers.parse(block, s, e);
            (feed as Float32Array | Float64Array)[base + k] = v;
            if (!this.numbers.ok) failure ??= this.notANumber(field);
            break;
          }
          case 'int64':
          case 'int32': {
            const v = this.numbers.parse(block, s, e);
            if (!this.numbers.ok || !Number.isInteger(v)) {
              failure ??= `column "${this.header[field]}": "${this.fieldPreview(field)}" is not an integer`;
            } else if (input.elemType === 'int64') {
              (feed as BigInt64Array)[base + k] = BigInt(v);
            } else {
              (feed as Int32Array)[base + k] = v;
            }
            break;
          }
          case 'bool': {
            const v = this.numbers.parse(block, s, e);
            const text = this.numbers.ok ? '' : fieldText(block, t, field).trim().toLowerCase();
            const b = this.numbers.ok ? v !== 0 : text === 'true' ? true : text === 'false' ? false : null;
            if (b === null || Number.isNaN(v)) failure ??= `column "${this.header[field]}": not a boolean`;
            (feed as Uint8Array)[base + k] = b ? 1 : 0;
            break;
          }
          case 'string': {
            try {
              (feed as string[])[base + k] = fieldText(block, t, field);
            } catch (error) {
              if (!(error instanceof CsvEncodingError)) throw error;
              failure ??= `column "${this.header[field]}": invalid byte sequence for the declared encoding`;
              (feed as string[])[base + k] = '';
            }
            break;
          }
        }
      }
    }
    return failure;
  }

  private notANumber(field: number): string {
    return `column "${this.header[field]}": "${this.fieldPreview(field)}" is not a number`;
  }

  private fieldPreview(field: number): string {
    let text: string;
    try {
      text = fieldText(this.slot.block, this.tokenizer, field);
    } catch {
      return '<invalid bytes>';
    }
    return text.length > 40 ? `${text.slice(0, 40)}...` : text;
  }

  /** Starts inference of a slot's rows: one run, or one per group when the graph fixes the batch size. */
  private runSlot(slot: BatchSlot): Promise<Array<Record<string, TensorData>>> {
    const rows = slot.rows;
    const group = this.model.fixedBatch ?? rows;
    if (group !== rows) this.padToGroup(slot, rows, group);
    const runs: Array<Promise<Record<string, TensorData>>> = [];
    for (let first = 0; first < rows; first += group) {
      runs.push(this.loaded.runner.run(this.tensors(slot, first, group), this.loaded.fetches));
    }
    return Promise.all(runs);
  }

  private writeSlot(
    out: CsvWriter,
    slot: BatchSlot,
    results: Array<Record<string, TensorData>>,
    counts: ScoreCounts,
  ): void {
    const group = this.model.fixedBatch ?? slot.rows;
    for (let row = 0; row < slot.rows; row++) {
      this.writeRow(
        out,
        slot,
        row,
        row % group,
        results[Math.floor(row / group)] as Record<string, TensorData>,
        counts,
      );
    }
    if (this.observer !== null) this.observer.observe(this.observedBatch(slot, results, group));
  }

  /** The batch's feeds and predictions for the monitoring observer. */
  private observedBatch(slot: BatchSlot, results: Array<Record<string, TensorData>>, group: number) {
    const m = this.model;
    const regression = m.targetType === 'Regression';
    const width = regression ? 1 : m.probabilityOutput === null ? 0 : m.classLabels.length;
    const outputs = new Float64Array(slot.rows * width);
    const labels: string[] | null = regression ? null : new Array<string>(slot.rows);
    for (let row = 0; row < slot.rows; row++) {
      if (slot.failures[row] !== null) continue;
      const result = results[Math.floor(row / group)] as Record<string, TensorData>;
      const r = row % group;
      if (regression) outputs[row] = this.regression(result, r);
      else {
        for (let k = 0; k < width; k++) outputs[row * width + k] = this.probability(result, r, k);
        (labels as string[])[row] = this.predictedClass(result, r);
      }
    }
    const { rows, failures, feeds, observed: texts } = slot;
    return { rows, failures, feeds, texts, outputs, outputWidth: width, labels };
  }

  /** Fills the rows after `rows` up to a multiple of the fixed batch with copies of the last row. */
  private padToGroup(slot: BatchSlot, rows: number, group: number): void {
    const padded = Math.ceil(rows / group) * group;
    this.inputs.forEach((input, i) => {
      const feed = slot.feeds[i] as unknown[];
      const w = input.width;
      for (let row = rows; row < padded; row++) {
        for (let k = 0; k < w; k++) feed[row * w + k] = feed[(rows - 1) * w + k];
      }
    });
  }

  private tensors(slot: BatchSlot, first: number, rows: number): Record<string, TensorData> {
    const feeds: Record<string, TensorData> = {};
    this.inputs.forEach((input, i) => {
      const feed = slot.feeds[i] as FeedArray;
      const from = first * input.width;
      const to = from + rows * input.width;
      // A view that starts mid-buffer is copied: onnxruntime-node reads typed arrays from offset 0 of their buffer.
      const data = Array.isArray(feed)
        ? feed.slice(from, to)
        : from === 0
          ? feed.subarray(0, to)
          : feed.slice(from, to);
      feeds[input.binding.name] = { type: input.elemType, data, dims: input.binding.dimsFor(rows) };
    });
    return feeds;
  }

  private writeRow(
    out: CsvWriter,
    slot: BatchSlot,
    row: number,
    resultRow: number,
    results: Record<string, TensorData>,
    counts: ScoreCounts,
  ): void {
    const failure = slot.failures[row] ?? null;
    if (failure === null) counts.scoredRows++;
    else counts.failedRows++;
    const m = this.model;
    let p = 0;
    for (const column of this.layout) {
      const cell = column.cell;
      switch (cell.kind) {
        case 'passthrough': {
          const off = (row * this.passthroughIndices.length + p++) * 2;
          const s = slot.passthrough[off] as number;
          if (s < 0) out.empty();
          else out.raw(slot.block, s, slot.passthrough[off + 1] as number);
          break;
        }
        case 'probability':
          if (failure !== null) out.empty();
          else out.number(this.probability(results, resultRow, cell.classIndex));
          break;
        case 'prediction':
          if (failure !== null) out.empty();
          else if (m.targetType === 'Regression') out.number(this.regression(results, resultRow));
          else out.text(this.predictedClass(results, resultRow));
          break;
        case 'threshold':
          out.number(this.threshold);
          break;
        case 'positiveClass':
          out.text(m.positiveClass ?? '');
          break;
        case 'status':
          out.text(failure ?? STATUS_OK);
          break;
        default:
          (this.extras as ScoringExtras).write(
            out,
            cell,
            slot.extras as BatchExtras,
            row,
            slot.block,
            slot.cells,
          );
      }
    }
    out.endRecord();
  }

  private probability(results: Record<string, TensorData>, row: number, classIndex: number): number {
    const tensor = results[this.model.probabilityOutput as string] as TensorData;
    const data = tensor.data as Float32Array | Float64Array;
    const width = tensor.dims.length === 2 ? (tensor.dims[1] as number) : 1;
    if (width === this.model.classLabels.length) return data[row * width + classIndex] as number;
    // A single probability column holds the second class, the converters' positive class.
    const p1 = data[row * width] as number;
    return classIndex === 1 ? p1 : 1 - p1;
  }

  private predictedClass(results: Record<string, TensorData>, row: number): string {
    const m = this.model;
    if (m.probabilityOutput === null) {
      const labels = (results[m.labelOutput as string] as TensorData).data as BigInt64Array | string[];
      return String(labels[row]);
    }
    if (m.targetType === 'Binary') {
      const positive = m.classLabels.indexOf(m.positiveClass as string);
      return this.probability(results, row, positive) >= this.threshold
        ? (m.positiveClass as string)
        : (this.negativeClass as string);
    }
    let best = 0;
    let bestP = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < m.classLabels.length; k++) {
      const pk = this.probability(results, row, k);
      if (pk > bestP) {
        bestP = pk;
        best = k;
      }
    }
    return m.classLabels[best] as string;
  }

  private regression(results: Record<string, TensorData>, row: number): number {
    const tensor = results[this.model.predictionOutput as string] as TensorData;
    const width = tensor.dims.length === 2 ? (tensor.dims[1] as number) : 1;
    return Number((tensor.data as Float32Array | Float64Array)[row * width]);
  }
}
