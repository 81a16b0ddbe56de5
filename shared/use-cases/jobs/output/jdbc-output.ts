/**
 * `outputSettings: {type: jdbc, dataStoreId, credentialId, table, schema, statementType, whereColumns,
 * updateColumns, createTableIfNotExists, commitInterval}`: writes the scored rows, in order, to a table. The
 * scored CSV is read in the job's dialect; an empty unquoted field is written as SQL NULL, a quoted empty field
 * (`""`) as the empty string. Commits happen every commitInterval seconds (0: once, at the end), each together
 * with the job's progress, so a retried delivery resumes after the committed rows (see sql-writer.ts).
 */
import { Readable } from 'node:stream';
import { ScoringError } from '../../../domain/errors.js';
import type { JobRecord } from '../../../domain/job.js';
import { type JobSpec, type OutputSettings, parseJobSpec } from '../../../domain/job-spec.js';
import { type CsvDialect, resolveDialect } from '../../../engine/csv/dialect.js';
import { FIELD_PLAIN, fieldText, RecordTokenizer } from '../../../engine/csv/record-tokenizer.js';
import { decodeToUtf8, stripUtf8Bom } from '../../../engine/csv/transcode.js';
import type { SqlStatementType, SqlValue } from '../../../ports/sql-database.js';
import { requireDataStore, sqlConnectionOf } from '../../data-stores/sql-connection.js';
import type { Deps } from '../../deps.js';
import { checkCatalog } from '../intake/jdbc-intake.js';
import type { OutputSink } from './output-sinks.js';

type JdbcOutput = Extract<OutputSettings, { type: 'jdbc' }>;

/** DataRobot's camelCase spellings of two statement types. */
const STATEMENT_TYPES: Readonly<Record<JdbcOutput['statementType'], SqlStatementType>> = {
  insert: 'insert',
  update: 'update',
  insert_update: 'insert_update',
  insertUpdate: 'insert_update',
  create_table: 'create_table',
  createTable: 'create_table',
};

/** The JDBC output, registered in OUTPUT_SINKS under `jdbc`. Returns the bytes of scored CSV it delivered. */
export const JDBC_OUTPUT: OutputSink = {
  async deliver(deps: Deps, job: JobRecord, csv: AsyncIterable<Uint8Array>): Promise<number> {
    const spec = parseJobSpec(job.spec);
    const settings = spec.outputSettings as JdbcOutput;
    const connection = await sqlConnectionOf(deps, job.ownerId, settings, 'outputSettings');
    checkCatalog('outputSettings.catalog', settings.catalog, connection);
    let bytes = 0;
    const counted = (async function* () {
      for await (const piece of csv) {
        bytes += piece.length;
        yield piece;
      }
    })();
    const records = csvRecords(counted, resolveDialect(spec.csvSettings));
    const header = await records.next();
    if (header.done) throw new ScoringError('the scored output has no header row');
    const columns = header.value.map((name) => name ?? '');
    const result = await deps.sql.write(
      connection,
      {
        target: { table: settings.table, schema: settings.schema },
        statementType: STATEMENT_TYPES[settings.statementType],
        createTableIfNotExists: settings.createTableIfNotExists,
        whereColumns: settings.whereColumns ?? [],
        updateColumns: settings.updateColumns,
        commitIntervalSeconds: settings.commitInterval,
        writeId: job.id,
      },
      columns,
      records,
    );
    const resumed =
      result.rowsResumed > 0 ? ` (resumed after ${result.rowsResumed} rows committed earlier)` : '';
    await deps.jobs.appendLog(
      job.id,
      `${deps.clock.now().toISOString()} Wrote ${result.rowsWritten} rows to ${connection.dialect} table ${settings.table}${resumed}`,
    );
    return bytes;
  },

  async checkSpec(deps: Deps, ownerId: string, spec: JobSpec): Promise<void> {
    await requireDataStore(deps, ownerId, (spec.outputSettings as JdbcOutput).dataStoreId);
  },
};

/**
 * The records of a CSV byte stream in `dialect`, fields as text: an empty unquoted field is null. Blank lines
 * are skipped.
 */
async function* csvRecords(csv: AsyncIterable<Uint8Array>, dialect: CsvDialect): AsyncGenerator<SqlValue[]> {
  const source = decoded(csv, dialect.encoding);
  const tokenizer = new RecordTokenizer(dialect);
  let pending: Buffer = Buffer.alloc(0);
  let first = true;
  for await (const piece of source) {
    const bytes = first ? stripUtf8Bom(piece) : piece;
    first = false;
    pending = pending.length === 0 ? Buffer.from(bytes) : Buffer.concat([pending, bytes]);
    let pos = 0;
    for (;;) {
      if (pos >= pending.length) break;
      const next = tokenizer.next(pending, pos, pending.length, false);
      if (next < 0) break;
      const record = recordOf(pending, tokenizer);
      if (record) yield record;
      pos = next;
    }
    pending = pending.subarray(pos);
  }
  let pos = 0;
  while (pos < pending.length) {
    pos = tokenizer.next(pending, pos, pending.length, true);
    const record = recordOf(pending, tokenizer);
    if (record) yield record;
  }
}

/** The bytes as UTF-8; a failure reading `csv` fails the decoded stream too. */
function decoded(csv: AsyncIterable<Uint8Array>, encoding: string): AsyncIterable<Uint8Array> {
  const decoder = decodeToUtf8(encoding);
  if (!decoder) return csv;
  const raw = Readable.from(csv);
  raw.on('error', (error) => decoder.destroy(error));
  return raw.pipe(decoder);
}

function recordOf(buf: Buffer, t: RecordTokenizer): SqlValue[] | null {
  if (t.fieldCount === 1 && t.rawStarts[0] === t.rawEnds[0]) return null; // a blank line
  const values: SqlValue[] = [];
  for (let i = 0; i < t.fieldCount; i++) {
    const empty = t.starts[i] === t.ends[i];
    values.push(empty && t.kinds[i] === FIELD_PLAIN ? null : fieldText(buf, t, i));
  }
  return values;
}
