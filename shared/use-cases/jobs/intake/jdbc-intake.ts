/**
 * `intakeSettings: {type: jdbc, dataStoreId, credentialId, query | table (+schema), fetchSize}`: reads the query's
 * (or the table's) rows once, fetchSize rows at a time, into the job's input part as CSV in the job's dialect
 * (delimiter, quote and encoding), so planning and concurrent scoring proceed exactly as for an upload. Values are
 * the database's text form of each value; SQL NULL becomes an empty field.
 */
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ValidationError } from '../../../domain/errors.js';
import type { JobRecord } from '../../../domain/job.js';
import { type IntakeSettings, type JobSpec, parseJobSpec } from '../../../domain/job-spec.js';
import { CsvWriter } from '../../../engine/csv/csv-writer.js';
import { type CsvDialect, resolveDialect } from '../../../engine/csv/dialect.js';
import { encodeFromUtf8 } from '../../../engine/csv/transcode.js';
import type { SqlConnection, SqlRowReader, SqlSource } from '../../../ports/sql-database.js';
import { requireDataStore, sqlConnectionOf } from '../../data-stores/sql-connection.js';
import type { Deps } from '../../deps.js';
import { inputPartKey } from '../job-keys.js';
import type { IntakeSource } from './intake-sources.js';

type JdbcIntake = Extract<IntakeSettings, { type: 'jdbc' }>;

/** Rows per fetch when the job leaves fetchSize out. */
export const DEFAULT_FETCH_SIZE = 10_000;

/** The JDBC intake, registered in INTAKE_SOURCES under `jdbc`. */
export const JDBC_INTAKE: IntakeSource = {
  async materialize(deps: Deps, job: JobRecord): Promise<number> {
    const spec = parseJobSpec(job.spec);
    const settings = spec.intakeSettings as JdbcIntake;
    const connection = await sqlConnectionOf(deps, job.ownerId, settings, 'intakeSettings');
    const reader = await deps.sql.read(connection, sourceOf(settings, connection), {
      fetchSize: settings.fetchSize ?? DEFAULT_FETCH_SIZE,
    });
    const dialect = resolveDialect(spec.csvSettings);
    let bytes = 0;
    const counter = new Transform({
      transform(piece: Buffer, _encoding, done) {
        bytes += piece.length;
        done(null, piece);
      },
    });
    // A database error mid-read destroys the whole pipeline, so the put fails instead of waiting for more.
    const read = pipeline(
      Readable.from(csvOf(reader, dialect)),
      encodeFromUtf8(dialect.encoding) ?? new PassThrough(),
      counter,
    );
    read.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
    try {
      await deps.objects.put(inputPartKey(job.id, 0), counter, { contentType: 'text/csv' });
    } catch (error) {
      // Stops the read too (else it could wait forever on a full pipe); a database error that came first and
      // broke the put says more than the put's own error, so it wins.
      counter.destroy(error as Error);
      await read;
      throw error;
    }
    await read;
    return bytes;
  },

  async checkSpec(deps: Deps, ownerId: string, spec: JobSpec): Promise<void> {
    await requireDataStore(deps, ownerId, (spec.intakeSettings as JdbcIntake).dataStoreId);
  },
};

/** The query, or the table in its schema; `catalog` may only repeat the data store's database. */
function sourceOf(settings: JdbcIntake, connection: SqlConnection): SqlSource {
  checkCatalog('intakeSettings.catalog', settings.catalog, connection);
  if (settings.query !== undefined) return { query: settings.query };
  return { table: settings.table as string, schema: settings.schema };
}

/**
 * Neither PostgreSQL nor MySQL reads across catalogs on one connection: the database is the data store's, so a
 * catalog is accepted only when it names that database.
 */
export function checkCatalog(field: string, catalog: string | undefined, connection: SqlConnection): void {
  if (catalog === undefined || catalog === connection.database) return;
  throw new ValidationError([
    {
      field,
      message: `${connection.dialect} reads one database per connection: the data store's jdbcUrl names ${JSON.stringify(connection.database)}; leave catalog out or point a data store at the other database`,
    },
  ]);
}

/** Header and rows as CSV in `dialect` (UTF-8; the caller encodes), one piece per fetched batch. */
export async function* csvOf(reader: SqlRowReader, dialect: CsvDialect): AsyncGenerator<Buffer> {
  const writer = new CsvWriter(dialect);
  for (const column of reader.columns) writer.text(column);
  writer.endRecord();
  for await (const batch of reader.batches) {
    for (const row of batch) {
      for (const value of row) {
        if (value === null) writer.empty();
        else writer.text(value);
      }
      writer.endRecord();
    }
    yield writer.take();
  }
  if (writer.length > 0) yield writer.take();
}
