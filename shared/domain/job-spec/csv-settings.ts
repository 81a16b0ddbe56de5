import { z } from 'zod';

/** The `delimiter` value DataRobot uses to mean a TAB character (JSON senders cannot easily type one). */
const TAB_KEYWORD = 'tab';

/**
 * CSV dialect shared by intake and output (`csvSettings`). DataRobot defaults: `,` `"` `utf-8`; the
 * encoding is any name Python knows, so it is checked where the bytes are decoded, not here.
 */
export const CsvSettingsSchema = z
  .strictObject({
    delimiter: z
      .string()
      .regex(/^(?:[\s\S]|tab)$/u, { error: 'expected a single character or "tab"' })
      .default(',')
      .describe('Field delimiter: one character, or "tab".'),
    quotechar: z
      .string()
      .length(1)
      .default('"')
      .describe('Character that quotes fields containing the delimiter.'),
    encoding: z
      .string()
      .min(1)
      .default('utf-8')
      .describe('Character encoding of the CSV files, e.g. "shift_jis".'),
  })
  .superRefine((settings, ctx) => {
    if (delimiterChar(settings.delimiter) === settings.quotechar) {
      ctx.addIssue({
        code: 'custom',
        path: ['quotechar'],
        message: `must differ from the delimiter (both are ${JSON.stringify(settings.quotechar)})`,
      });
    }
  });

export type CsvSettings = z.output<typeof CsvSettingsSchema>;

/** The actual delimiter character of a `csvSettings.delimiter` value ("tab" -> "\t"). */
export function delimiterChar(delimiter: string): string {
  return delimiter === TAB_KEYWORD ? '\t' : delimiter;
}
