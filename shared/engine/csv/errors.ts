/**
 * Errors of the CSV layer. They extend the domain tree so the HTTP edge and job runners map them without knowing
 * about CSV: bad settings are a validation problem of the request, bad bytes make the data unscorable.
 */
import { ScoringError, ValidationError } from '../../domain/errors.js';

/** A `csvSettings` value that cannot be used; `field` is its dotted path, e.g. `csvSettings.delimiter`. */
export class CsvSettingsError extends ValidationError {
  override name = 'CsvSettingsError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super([{ field, message }], `${field}: ${message}`);
  }
}

/** The bytes are not CSV this dialect can read (unterminated quote, record over the size limit). */
export class CsvFormatError extends ScoringError {
  override name = 'CsvFormatError';
}

/** A field's bytes are not valid UTF-8 (usually: the file is in another encoding than the one declared). */
export class CsvEncodingError extends ScoringError {
  override name = 'CsvEncodingError';
}
