/**
 * A generated credit-risk dataset: loan applicants with a few numeric columns and one categorical column, and
 * whether the loan went bad. The default risk follows a fixed logistic rule, so a model can learn it but not
 * perfectly (the label is drawn, not thresholded).
 */
import { createRng, type Rng } from '../test/support/onnx-factory.js';

/** The categories of `employment`, in the order the model's encoder numbers them. */
export const EMPLOYMENT = ['salaried', 'self_employed', 'retired', 'unemployed'] as const;

/** The numeric feature columns, in model order after the employment code. */
export const NUMERIC_COLUMNS = ['age', 'income', 'debt_ratio', 'credit_lines', 'late_payments'] as const;

/** The target column of the training data. */
export const TARGET = 'is_bad';

/** One applicant. */
export interface Applicant {
  id: number;
  employment: (typeof EMPLOYMENT)[number];
  age: number;
  /** Yearly income in thousands. */
  income: number;
  debtRatio: number;
  creditLines: number;
  latePayments: number;
  isBad: 0 | 1;
}

const EMPLOYMENT_SHARE = [0.62, 0.16, 0.14, 0.08];
const EMPLOYMENT_RISK = [0, 0.7, -0.4, 1.8];

/** `rows` applicants with ids from `firstId`, deterministic for a seed. */
export function generateApplicants(rows: number, seed: number, firstId = 1): Applicant[] {
  const rng = createRng(seed);
  return Array.from({ length: rows }, (_, i) => applicant(rng, firstId + i));
}

function applicant(rng: Rng, id: number): Applicant {
  const employmentIndex = pick(rng, EMPLOYMENT_SHARE);
  const employment = EMPLOYMENT[employmentIndex]!;
  const age = Math.round(
    clamp(employment === 'retired' ? 68 + 5 * rng.normal() : 40 + 11 * rng.normal(), 21, 90),
  );
  const income = round2(Math.exp(Math.log(employment === 'unemployed' ? 18 : 52) + 0.45 * rng.normal()));
  const debtRatio = round2(clamp(0.35 + 0.18 * rng.normal(), 0, 1.5));
  const creditLines = Math.round(clamp(6 + 3 * rng.normal(), 0, 30));
  const latePayments = poisson(rng, 0.3 + 1.8 * debtRatio * debtRatio);
  const logit =
    -2.4 +
    5 * (debtRatio - 0.35) +
    0.8 * latePayments -
    0.03 * (age - 40) -
    1.1 * Math.log(income / 50) +
    0.06 * Math.abs(creditLines - 6) +
    (EMPLOYMENT_RISK[employmentIndex] ?? 0);
  const isBad = rng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  return { id, employment, age, income, debtRatio, creditLines, latePayments, isBad };
}

/** The numeric feature vector the model is fitted on: employment code first, then NUMERIC_COLUMNS. */
export function featuresOf(a: Applicant): Float64Array {
  return Float64Array.of(
    EMPLOYMENT.indexOf(a.employment),
    a.age,
    a.income,
    a.debtRatio,
    a.creditLines,
    a.latePayments,
  );
}

/** The applicants as a scoring CSV (no target column): what a user would send for predictions. */
export function scoringCsv(applicants: readonly Applicant[]): string {
  const header = ['applicant_id', 'employment', ...NUMERIC_COLUMNS].join(',');
  const lines = applicants.map((a) =>
    [a.id, a.employment, a.age, a.income, a.debtRatio, a.creditLines, a.latePayments].join(','),
  );
  return `${header}\n${lines.join('\n')}\n`;
}

function pick(rng: Rng, shares: readonly number[]): number {
  let u = rng.next();
  for (let i = 0; i < shares.length; i++) {
    u -= shares[i] ?? 0;
    if (u < 0) return i;
  }
  return shares.length - 1;
}

function poisson(rng: Rng, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rng.next(); p > limit; p *= rng.next()) k++;
  return k;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round2 = (x: number): number => Math.round(x * 100) / 100;
