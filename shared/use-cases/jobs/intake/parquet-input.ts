/**
 * Parquet intake: a Parquet file becomes one CSV input part of the job (what an upload of the same data as CSV
 * would have left), converted row group by row group, so the CSV planner and the engine score it unchanged.
 * Used by every intake that accepts `format: parquet` (dataset, localFile, s3).
 */
import { PassThrough, Readable } from 'node:stream';
import type { CsvDialect } from '../../../engine/csv/dialect.js';
import { encodeFromUtf8 } from '../../../engine/csv/transcode.js';
import { parquetToCsv, type RandomAccessFile } from '../../../engine/parquet/parquet-to-csv.js';
import type { ObjectStore } from '../../../ports/object-store.js';
import { readObject } from '../object-bytes.js';

/** Four bytes every Parquet file starts and ends with. */
const PARQUET_MAGIC = Buffer.from('PAR1');

/**
 * Random access to a stored object through ranged GETs, for reading a Parquet file in place (footer first, then
 * one row group's column chunks at a time).
 */
export function objectRandomAccess(objects: ObjectStore, key: string, size: number): RandomAccessFile {
  return {
    byteLength: size,
    slice: async (start, end = size) => {
      const bytes = await readObject(objects, key, { start, end });
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    },
  };
}

/** Whether the stored object starts with the Parquet magic (one 4-byte ranged read). */
export async function looksLikeParquet(objects: ObjectStore, key: string, size: number): Promise<boolean> {
  if (size < 12) return false;
  return (await readObject(objects, key, { start: 0, end: 4 })).equals(PARQUET_MAGIC);
}

/**
 * Writes `file` as CSV to `targetKey` in the job's dialect: its delimiter and quote, and its encoding (the CSV is
 * made as UTF-8 and encoded when the job reads another encoding, so the planner decodes it back unchanged).
 *
 * @throws ParquetFormatError (a ScoringError) when the file is not readable Parquet; the job then ends ABORTED.
 */
export async function writeParquetAsCsv(
  objects: ObjectStore,
  file: RandomAccessFile,
  targetKey: string,
  dialect: CsvDialect,
): Promise<void> {
  const csv = Readable.from(parquetToCsv(file, { dialect }));
  const converted = new Promise<void>((resolve, reject) => csv.on('end', resolve).on('error', reject));
  converted.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
  // The put reads through a stream that a conversion error destroys, so it fails rather than waits.
  const body = encodeFromUtf8(dialect.encoding) ?? new PassThrough();
  csv.on('error', (error) => body.destroy(error));
  try {
    await objects.put(targetKey, csv.pipe(body), { contentType: 'text/csv' });
  } catch (error) {
    await converted; // the conversion's own error says more than the put's
    throw error;
  }
  await converted;
}
