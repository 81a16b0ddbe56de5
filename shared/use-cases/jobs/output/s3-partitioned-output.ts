/**
 * Partitioned Parquet output (`outputSettings: {type: s3, format: parquet, url: "s3://bucket/prefix/",
 * partitionColumns: [...]}`): one Parquet file per combination of the partition columns' values, written Hive
 * style to `<prefix><col>=<value>/.../part-00000.parquet`, the partition columns kept in the path only (as Hive,
 * Spark and Arrow read them back). Rows keep their order within each partition. Memory stays bounded: rows are
 * grouped in buffers that spill to the job's scratch space when they grow large, and each partition is converted
 * and uploaded on its own once all rows are seen.
 */
import { ValidationError } from '../../../domain/errors.js';
import type { CsvDialect } from '../../../engine/csv/dialect.js';
import { recordBlocks } from '../../../engine/csv/record-blocks.js';
import { fieldText, RecordTokenizer } from '../../../engine/csv/record-tokenizer.js';
import { csvToParquet } from '../../../engine/parquet/csv-to-parquet.js';
import type { ExternalBucket, ExternalWriteOptions } from '../../../ports/external-object-storage.js';
import type { ObjectStore } from '../../../ports/object-store.js';
import { jobPrefix } from '../job-keys.js';

/** Buffered rows past this many bytes (all partitions together) are spilled to scratch objects. */
const DEFAULT_SPILL_BYTES = 32 * 1024 * 1024;
const LF = 0x0a;
/** What Hive names the partition of an empty value. */
const EMPTY_VALUE = '__HIVE_DEFAULT_PARTITION__';

/** Where the write happens and how much it may write. */
export interface PartitionedWrite {
  readonly objects: ObjectStore;
  readonly jobId: string;
  readonly bucket: ExternalBucket;
  /** The key prefix the partitions go under (ends in `/` or is empty). */
  readonly prefix: string;
  readonly partitionColumns: readonly string[];
  readonly dialect: CsvDialect;
  readonly options: ExternalWriteOptions;
  /** Wraps each file's bytes, e.g. to enforce the write limit across all files. */
  readonly limit: (bytes: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>;
  /** Memory for buffered rows before they spill to scratch objects. @default 32 MiB */
  readonly spillBytes?: number;
}

interface Partition {
  readonly path: string;
  pending: Buffer[];
  pendingBytes: number;
  spills: number;
}

/**
 * Splits the scored CSV by the partition columns and writes one Parquet file per partition; returns the bytes
 * written. Throws ValidationError when a partition column is not in the output (it must be passed through).
 */
export async function writePartitioned(
  write: PartitionedWrite,
  csv: AsyncIterable<Uint8Array>,
): Promise<number> {
  const scratch = `${jobPrefix(write.jobId)}output-partitions/`;
  const partitions = new Map<string, Partition>();
  const tokenizer = new RecordTokenizer(write.dialect);
  let header: { line: Buffer; indexes: number[] } | null = null;
  let buffered = 0;
  try {
    for await (const block of recordBlocks(csv, write.dialect)) {
      for (let pos = 0; pos < block.length; ) {
        const next = tokenizer.next(block, pos, block.length, true);
        pos = next;
        if (tokenizer.fieldCount === 1 && tokenizer.starts[0] === tokenizer.ends[0]) continue;
        if (header === null) {
          header = headerOf(block, tokenizer, write);
          continue;
        }
        const path = pathOf(block, tokenizer, write.partitionColumns, header.indexes);
        let partition = partitions.get(path);
        if (!partition) {
          partition = { path, pending: [], pendingBytes: 0, spills: 0 };
          partitions.set(path, partition);
        }
        const row = rowWithout(block, tokenizer, header.indexes, write.dialect.delimiter);
        partition.pending.push(row);
        partition.pendingBytes += row.length;
        buffered += row.length;
        if (buffered > (write.spillBytes ?? DEFAULT_SPILL_BYTES)) {
          for (const p of partitions.values()) await spill(write.objects, scratch, p);
          buffered = 0;
        }
      }
    }
    if (header === null) return 0;
    let bytes = 0;
    for (const partition of partitions.values()) {
      const rows = rowsOf(write.objects, scratch, partition, header.line);
      const parquet = write.limit(csvToParquet(rows, { dialect: write.dialect }));
      bytes += await write.bucket.write(
        `${write.prefix}${partition.path}part-00000.parquet`,
        parquet,
        write.options,
      );
    }
    return bytes;
  } finally {
    await write.objects.deletePrefix(scratch);
  }
}

function headerOf(
  block: Buffer,
  t: RecordTokenizer,
  write: PartitionedWrite,
): { line: Buffer; indexes: number[] } {
  const names = Array.from({ length: t.fieldCount }, (_, i) => fieldText(block, t, i));
  const indexes = write.partitionColumns.map((column) => {
    const index = names.indexOf(column);
    if (index < 0) {
      throw new ValidationError([
        {
          field: 'outputSettings.partitionColumns',
          message: `column ${JSON.stringify(column)} is not in the output; pass it through with passthroughColumns`,
        },
      ]);
    }
    return index;
  });
  if (indexes.length === names.length) {
    throw new ValidationError([
      {
        field: 'outputSettings.partitionColumns',
        message: 'at least one output column must stay out of the partitions',
      },
    ]);
  }
  return { line: rowWithout(block, t, indexes, write.dialect.delimiter), indexes };
}

/** `col=value/` for each partition column, values escaped as in a URL (Hive's own escaping is a subset). */
function pathOf(block: Buffer, t: RecordTokenizer, columns: readonly string[], indexes: number[]): string {
  return indexes
    .map((index, i) => {
      const value = index < t.fieldCount ? fieldText(block, t, index) : '';
      return `${encodeURIComponent(columns[i] as string)}=${value === '' ? EMPTY_VALUE : encodeURIComponent(value)}/`;
    })
    .join('');
}

/** The record's raw fields except those at `dropped`, as one line ending in LF. */
function rowWithout(block: Buffer, t: RecordTokenizer, dropped: number[], delimiter: number): Buffer {
  const pieces: Buffer[] = [];
  for (let i = 0; i < t.fieldCount; i++) {
    if (dropped.includes(i)) continue;
    if (pieces.length > 0) pieces.push(Buffer.of(delimiter));
    pieces.push(block.subarray(t.rawStarts[i], t.rawEnds[i]));
  }
  pieces.push(Buffer.of(LF));
  return Buffer.concat(pieces);
}

async function spill(objects: ObjectStore, scratch: string, partition: Partition): Promise<void> {
  if (partition.pendingBytes === 0) return;
  await objects.put(spillKey(scratch, partition, partition.spills), Buffer.concat(partition.pending));
  partition.spills++;
  partition.pending = [];
  partition.pendingBytes = 0;
}

function spillKey(scratch: string, partition: Partition, n: number): string {
  return `${scratch}${Buffer.from(partition.path).toString('base64url')}/${String(n).padStart(6, '0')}`;
}

/** The partition's CSV: the header, its spilled rows in order, then the rows still buffered. */
async function* rowsOf(
  objects: ObjectStore,
  scratch: string,
  partition: Partition,
  header: Buffer,
): AsyncGenerator<Uint8Array> {
  yield header;
  for (let n = 0; n < partition.spills; n++) {
    for await (const piece of await objects.get(spillKey(scratch, partition, n))) yield piece as Uint8Array;
  }
  yield* partition.pending;
}
