import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../../shared/domain/errors.js';
import { sampleTrainingData } from '../../../../shared/engine/explain/training-sample.js';

function csv(rows: number): Buffer {
  const lines = ['id,x,city'];
  for (let i = 0; i < rows; i++)
    lines.push(`${i},${i % 7 === 0 ? '' : i / 2},${['Oslo', 'Rome', '"Nice, FR"'][i % 3]}`);
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`);
}

describe('sampleTrainingData', () => {
  it('samples the same rows from the same file, each row at most once, spread over the file', () => {
    const a = sampleTrainingData(csv(5000), 200);
    const b = sampleTrainingData(csv(5000), 200);
    expect(a.background).toEqual(b.background);
    expect(a.background).toHaveLength(200);
    const ids = a.background.map((r) => Number(r.id));
    expect(new Set(ids).size).toBe(200);
    // A uniform sample of 0..4999: some rows from each fifth of the file.
    for (let fifth = 0; fifth < 5; fifth++) {
      expect(ids.filter((i) => Math.floor(i / 1000) === fifth).length).toBeGreaterThan(20);
    }
  });

  it('keeps every row of a small file, with empty cells as null, and computes column statistics', () => {
    const s = sampleTrainingData(csv(30), 500);
    expect(s.trainingRows).toBe(30);
    expect(s.background).toHaveLength(30);
    expect(s.background[0]).toEqual({ id: '0', x: null, city: 'Oslo' });
    const [id, x, city] = s.columns;
    expect(id).toMatchObject({ kind: 'numeric', count: 30, missing: 0, min: 0, max: 29, mean: 14.5 });
    expect(x).toMatchObject({ kind: 'numeric', missing: 5, min: 0.5, max: 14.5 });
    expect(city).toMatchObject({ kind: 'categorical', min: null, mean: null });
    expect(city?.categories).toEqual([
      { value: 'Nice, FR', count: 10 },
      { value: 'Oslo', count: 10 },
      { value: 'Rome', count: 10 },
    ]);
  });

  it('names the problem of an unusable file', () => {
    expect(() => sampleTrainingData(Buffer.from('a,b\n'), 10)).toThrow(ModelError);
    expect(() => sampleTrainingData(Buffer.from('a,b\n1,2\n3\n'), 10)).toThrow(
      'training data row 2 has 1 fields but the header has 2',
    );
    expect(() => sampleTrainingData(Buffer.from('a,b\n1,"2\n'), 10)).toThrow(/not readable CSV/);
  });
});
