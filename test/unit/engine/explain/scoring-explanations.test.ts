import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotSupportedError, ValidationError } from '../../../../shared/domain/errors.js';
import { resolveDialect } from '../../../../shared/engine/csv/dialect.js';
import { planChunks } from '../../../../shared/engine/csv/record-blocks.js';
import type { ExplanationOptions } from '../../../../shared/engine/explain/explanation-options.js';
import { type LoadedModel, loadModel } from '../../../../shared/engine/model/load-model.js';
import { outputHeader, scoreChunk } from '../../../../shared/engine/scoring/score-chunk.js';
import {
  defaultScoringOptions,
  type ScoringOptions,
} from '../../../../shared/engine/scoring/scoring-options.js';
import { backgroundRows, binaryGbdtFixture } from '../../../support/explain-fixtures.js';
import { cells, piecesOf, scoreWith } from '../../../support/scoring.js';

const fixture = binaryGbdtFixture();
const names = fixture.featureNames;

function explain(overrides: Partial<ExplanationOptions> = {}): Partial<ScoringOptions> {
  return {
    explanations: {
      maxExplanations: 3,
      thresholdHigh: null,
      thresholdLow: null,
      algorithm: null,
      numTopClasses: null,
      classNames: null,
      ...overrides,
    },
  };
}

/** 40 rows: id, the features (6 significant digits), one empty cell and one quoted cell. */
function inputCsv(): string {
  const lines = fixture.X.slice(100, 140).map((row, i) => {
    const values = Array.from(row, (v) => v.toPrecision(6));
    if (i === 3) values[0] = '';
    if (i === 5) values[1] = `"${values[1]}"`;
    return [String(i), ...values].join(',');
  });
  return `id,${names.join(',')}\n${lines.join('\n')}\n`;
}

describe('prediction explanations in scoring output (binary GBDT, TreeSHAP)', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(fixture.bytes, {
      explanations: { background: backgroundRows(names, fixture.X.slice(0, 40)) },
    });
  });
  afterAll(() => model.dispose());

  it('writes DataRobot columns whose base + strengths + remaining equal the probability on every row', async () => {
    const { text } = await scoreWith(model, inputCsv(), {
      scoring: { passthroughColumns: ['id'], ...explain() },
    });
    const [header, ...rows] = cells(text);
    const expl = (i: number) =>
      ['FEATURE_NAME', 'STRENGTH', 'ACTUAL_VALUE', 'QUALITATIVE_STRENGTH'].map(
        (f) => `EXPLANATION_${i}_${f}`,
      );
    expect(header).toEqual([
      'id',
      'target_yes_PREDICTION',
      'target_no_PREDICTION',
      'target_PREDICTION',
      'THRESHOLD',
      'POSITIVE_CLASS',
      ...expl(1),
      ...expl(2),
      ...expl(3),
      'SHAP_BASE_VALUE',
      'SHAP_REMAINING_TOTAL',
    ]);
    const input = cells(inputCsv()).slice(1);
    expect(rows).toHaveLength(40);
    rows.forEach((row, r) => {
      const at = (name: string) => row[(header as string[]).indexOf(name)] as string;
      const strengths = [1, 2, 3].map((i) => Number(at(`EXPLANATION_${i}_STRENGTH`)));
      const total =
        Number(at('SHAP_BASE_VALUE')) +
        strengths.reduce((s, v) => s + v, 0) +
        Number(at('SHAP_REMAINING_TOTAL'));
      expect(Math.abs(total - Number(at('target_yes_PREDICTION')))).toBeLessThan(1e-6);
      expect(Math.abs(strengths[0] as number)).toBeGreaterThanOrEqual(Math.abs(strengths[1] as number));
      expect(Math.abs(strengths[1] as number)).toBeGreaterThanOrEqual(Math.abs(strengths[2] as number));
      for (const i of [1, 2, 3]) {
        const feature = at(`EXPLANATION_${i}_FEATURE_NAME`);
        const column = names.indexOf(feature);
        expect(column).toBeGreaterThanOrEqual(0);
        const raw = (input[r] as string[])[column + 1] as string;
        expect(at(`EXPLANATION_${i}_ACTUAL_VALUE`)).toBe(raw === '' ? 'nan' : raw);
        expect(at(`EXPLANATION_${i}_QUALITATIVE_STRENGTH`)).toBe('');
      }
    });
  });

  it('leaves explanation cells empty for rows inside [thresholdLow, thresholdHigh] (strict, OR)', async () => {
    const { text } = await scoreWith(model, inputCsv(), {
      scoring: explain({ thresholdHigh: 0.7, thresholdLow: 0.3 }),
    });
    const [header, ...rows] = cells(text);
    const first = (header as string[]).indexOf('EXPLANATION_1_FEATURE_NAME');
    let explained = 0;
    let skipped = 0;
    for (const row of rows) {
      const p = Number(row[0]);
      const tail = row.slice(first);
      if (p > 0.7 || p < 0.3) {
        explained++;
        expect(tail.every((c, i) => c !== '' || (i - 3) % 4 === 0)).toBe(true);
      } else {
        skipped++;
        expect(tail.every((c) => c === '')).toBe(true);
      }
    }
    expect(explained).toBeGreaterThan(0);
    expect(skipped).toBeGreaterThan(0);
  });

  it('fills every column when N exceeds the column count: trailing cells empty, remaining total 0', async () => {
    const { text } = await scoreWith(model, inputCsv(), { scoring: explain({ maxExplanations: 8 }) });
    const [header, ...rows] = cells(text);
    const at = (row: string[], name: string) => row[(header as string[]).indexOf(name)];
    for (const row of rows.slice(0, 5)) {
      expect(at(row, 'EXPLANATION_6_FEATURE_NAME')).not.toBe('');
      expect(at(row, 'EXPLANATION_7_FEATURE_NAME')).toBe('');
      expect(at(row, 'EXPLANATION_8_STRENGTH')).toBe('');
      expect(at(row, 'SHAP_REMAINING_TOTAL')).toBe('0');
    }
  });

  it('chunked scoring equals one pass byte for byte, and repeated runs are identical', async () => {
    const scoring = defaultScoringOptions({ batchRows: 7, ...explain({ thresholdHigh: 0.5 }) });
    const input = Buffer.from(inputCsv());
    const whole = await scoreWith(model, input, { scoring });
    const again = await scoreWith(model, input, { scoring, pieceBytes: 100 });
    expect(again.output.equals(whole.output)).toBe(true);
    const dialect = resolveDialect();
    const plan = await planChunks(piecesOf(input, 512), dialect, 300);
    expect(plan.chunks.length).toBeGreaterThan(3);
    const header = input.subarray(plan.headerRange.start, plan.headerRange.end);
    const parts = [outputHeader(model, header, { scoring, dialect })];
    for (const chunk of plan.chunks) {
      parts.push(
        (await scoreChunk(model, header, input.subarray(chunk.start, chunk.end), { scoring, dialect })).bytes,
      );
    }
    expect(Buffer.concat(parts).equals(whole.output)).toBe(true);
  });

  it('rejects thresholds outside [0, 1] for a classifier, naming the field', async () => {
    const run = scoreWith(model, inputCsv(), { scoring: explain({ thresholdHigh: 1.5 }) });
    await expect(run).rejects.toBeInstanceOf(ValidationError);
    await expect(run).rejects.toMatchObject({ problems: [{ field: 'thresholdHigh' }] });
  });

  it('rejects explanations for a package without a background (NotSupportedError on maxExplanations)', async () => {
    const bare = await loadModel(fixture.bytes, {}, { inference: 'in-thread' });
    try {
      const run = scoreWith(bare, inputCsv(), { scoring: explain() });
      await expect(run).rejects.toBeInstanceOf(NotSupportedError);
      await expect(run).rejects.toMatchObject({ field: 'maxExplanations' });
    } finally {
      await bare.dispose();
    }
  });
});
