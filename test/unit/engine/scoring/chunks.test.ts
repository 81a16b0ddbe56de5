import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { resolveDialect } from '../../../../shared/engine/csv/dialect.js';
import { planChunks } from '../../../../shared/engine/csv/record-blocks.js';
import { loadModel } from '../../../../shared/engine/model/load-model.js';
import { outputHeader, scoreChunk } from '../../../../shared/engine/scoring/score-chunk.js';
import { defaultScoringOptions } from '../../../../shared/engine/scoring/scoring-options.js';
import { createRng, treeEnsembleClassifier } from '../../../support/onnx-factory.js';
import { piecesOf, scoreWith } from '../../../support/scoring.js';

const model = treeEnsembleClassifier({
  features: 2,
  trees: { seed: 21, trees: 8, depth: 3 },
  classLabels: ['no', 'yes'],
  zipMap: true,
  input: { kind: 'columns', names: ['a', 'b'] },
});

/** A CSV with quoted passthrough text holding delimiters, quotes and newlines, blank lines and CRLF endings. */
function messyCsv(rows: number, seed: number): string {
  const rng = createRng(seed);
  const lines = ['id,note,a,b'];
  for (let i = 0; i < rows; i++) {
    const note = ['plain', '"with, comma"', '"two\nlines"', '"say ""hi"""', ''][rng.int(5)];
    const a = rng.int(10) === 0 ? '' : rng.normal().toFixed(4);
    lines.push(`${i},${note},${a},${rng.normal().toFixed(3)}`);
    if (rng.int(50) === 0) lines.push('');
  }
  return `${lines.join(rng.int(2) === 0 ? '\n' : '\r\n')}\n`;
}

describe('chunked scoring', () => {
  const scoring = defaultScoringOptions({
    passthroughColumns: ['id', 'note'],
    includePredictionStatus: true,
    batchRows: 64,
  });

  for (const [encoding, target] of [
    ['utf-8', 997],
    ['utf-8', 4096],
    ['latin_1', 1500],
  ] as const) {
    it(`header + chunk outputs in order equal one-pass output byte for byte (${encoding}, ~${target} B chunks)`, async () => {
      const text = messyCsv(600, target);
      const dialect = resolveDialect({ encoding });
      const input = encoding === 'utf-8' ? Buffer.from(text) : iconv.encode(`${text}é,"ü",1,2\n`, 'latin1');
      const loaded = await loadModel(model);
      const whole = await scoreWith(loaded, input, { scoring, csvSettings: { encoding }, pieceBytes: 333 });
      const plan = await planChunks(piecesOf(input, 4096), dialect, target);
      expect(plan.chunks.length).toBeGreaterThan(3);
      const header = input.subarray(plan.headerRange.start, plan.headerRange.end);
      const parts = [outputHeader(loaded, header, { scoring, dialect })];
      let scored = 0;
      for (const chunk of plan.chunks) {
        const result = await scoreChunk(loaded, header, input.subarray(chunk.start, chunk.end), {
          scoring,
          dialect,
        });
        parts.push(result.bytes);
        scored += result.counts.scoredRows;
      }
      await loaded.dispose();
      expect(Buffer.concat(parts).equals(whole.output)).toBe(true);
      expect(scored).toBe(whole.summary.scoredRows);
    });
  }
});
