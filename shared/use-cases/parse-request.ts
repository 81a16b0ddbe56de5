import type { z } from 'zod';
import { ValidationError } from '../domain/errors.js';
import { toFieldProblems } from '../domain/zod-problems.js';

/** Validates a request against `schema`; a ValidationError names every failing field. */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw new ValidationError(toFieldProblems(parsed.error));
  return parsed.data;
}
