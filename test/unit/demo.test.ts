import { describe, expect, it } from 'vitest';
import { generateApplicants } from '../../demo/credit-data.js';
import { runDemo } from '../../demo/demo.js';
import { accuracy, rocAuc } from '../../demo/metrics.js';

describe('demo', () => {
  it('registers a fitted model, scores a holdout through the API and reports how good it is', async () => {
    const lines: string[] = [];
    const result = await runDemo({
      trainRows: 3000,
      holdoutRows: 600,
      trees: 20,
      previewRows: 3,
      log: (l) => lines.push(l),
    });
    expect(result.rows).toBe(600);
    expect(result.preview).toHaveLength(4);
    expect(result.preview[0]).toBe(
      'applicant_id,is_bad_1_PREDICTION,is_bad_0_PREDICTION,is_bad_PREDICTION,THRESHOLD,POSITIVE_CLASS',
    );
    expect(result.preview[1]).toMatch(/^3001,0\.\d+,0\.\d+,[01],0\.5,1$/);
    // The generating rule is learnable but noisy: a working pipeline lands well above chance, below perfection.
    expect(result.auc).toBeGreaterThan(0.75);
    expect(result.auc).toBeLessThan(0.95);
    const holdout = generateApplicants(600, 2, 3001);
    const majorityShare = 1 - holdout.filter((a) => a.isBad === 1).length / holdout.length;
    expect(result.accuracy).toBeGreaterThan(majorityShare);
    expect(lines.at(-1)).toMatch(
      /^scored 600 holdout rows through the API in [\d.]+ s \(job [0-9a-f]{24}\): AUC 0\.\d{3}, accuracy 0\.\d{3}$/,
    );
    expect(lines).toContain(`  ${result.preview[0]}`);
  });

  it('computes AUC from ranks with ties counted half, and accuracy', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(rocAuc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(rocAuc([0.2, 0.3], [1, 1])).toBeNaN();
    expect(accuracy([1, 0, 1, 1], [1, 0, 0, 1])).toBe(0.75);
  });
});
