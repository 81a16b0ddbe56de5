/**
 * Writes a job's scored rows to a table, exactly once across retries.
 *
 * Progress lives in the target database itself: table `batchline_job_progress` (write_id, rows_committed,
 * updated_at) in the target's schema. Every commit (every commitInterval seconds, and at the end) updates the
 * write's progress row in the same transaction as the rows it covers, so after any failure the table holds
 * exactly the rows of the committed intervals and the progress row says how many. A repeated write with the same
 * id (the job's finalize run again after a crash) skips that many rows of the identical, ordered input and
 * continues. The progress rows stay (one small row per job); they may be deleted once their jobs ended.
 * On MySQL this needs a transactional engine (InnoDB, the default) for the target table.
 */
import { DataSourceError, ValidationError } from '../../domain/errors.js';
import type {
  SqlConnection,
  SqlTableName,
  SqlValue,
  SqlWriteResult,
  SqlWriteSpec,
} from '../../ports/sql-database.js';
import { inferColumnKinds, TYPE_SAMPLE_ROWS } from './sql-column-types.js';
import { sqlFailure } from './sql-errors.js';
import { qualifiedName, type SqlDialectSql, type SqlSession } from './sql-session.js';

/** The progress table's name. */
export const PROGRESS_TABLE = 'batchline_job_progress';

/** Rows per transaction check for update and insert_update, which apply one statement per row. */
const ROW_BATCH_ROWS = 1000;

/** Milliseconds now; injectable so tests control when commit intervals elapse. */
export type Now = () => number;

/**
 * Applies `rows` to the target as `spec` says and returns what it did. Errors are thrown as DataSourceError or
 * ValidationError (naming `outputSettings.*`), with the rows committed before a failure in the message.
 */
export async function writeRows(
  session: SqlSession,
  connection: SqlConnection,
  spec: SqlWriteSpec,
  columns: readonly string[],
  rows: AsyncIterable<readonly SqlValue[]>,
  now: Now = Date.now,
): Promise<SqlWriteResult> {
  const plan = planStatements(session.dialect, spec, columns);
  let committed = 0;
  try {
    const label = session.dialect.labelSessionSql;
    if (label !== null) await session.execute(label, [`batchline:${spec.writeId}`]);
    const progressTable = qualifiedName(session.dialect, {
      schema: spec.target.schema,
      table: PROGRESS_TABLE,
    });
    await session.execute(
      `CREATE TABLE IF NOT EXISTS ${progressTable} (write_id ${session.dialect.progressKeyType} PRIMARY KEY, ` +
        'rows_committed BIGINT NOT NULL, updated_at TIMESTAMP NOT NULL)',
    );
    const previous = await session.execute(
      `SELECT rows_committed FROM ${progressTable} WHERE write_id = ${session.dialect.placeholder(1)}`,
      [spec.writeId],
    );
    const resumed = previous.rows.length > 0 ? Number(previous.rows[0]?.[0]) : null;
    committed = resumed ?? 0;
    const saveProgress = (count: number) =>
      session.execute(session.dialect.upsertProgressSql(progressTable), [spec.writeId, String(count)]);

    const input = await prepareTarget(session, spec, columns, rows, resumed !== null);
    if (input.created) await saveProgress(committed);

    let written = 0;
    const intervalMs = spec.commitIntervalSeconds * 1000;
    let lastCommit = now();
    await session.execute('BEGIN');
    for await (const batch of batches(skip(input.rows, committed), plan.batchRows)) {
      await plan.apply(session, batch);
      written += batch.length;
      if (intervalMs > 0 && now() - lastCommit >= intervalMs) {
        await saveProgress(committed + written);
        await session.execute('COMMIT');
        lastCommit = now();
        await session.execute('BEGIN');
        committed += written;
        written = 0;
      }
    }
    await saveProgress(committed + written);
    await session.execute('COMMIT');
    return { rowsWritten: committed + written - (resumed ?? 0), rowsResumed: resumed ?? 0 };
  } catch (error) {
    await session.execute('ROLLBACK').catch(() => undefined);
    throw sqlFailure(error, { connection, action: 'write', rowsCommitted: committed });
  }
}

/**
 * Checks the target table against the statement type and creates it when asked to, with column types from the
 * first rows. Returns the rows to write (those read ahead included) and whether the table was created.
 *
 * @param ownWrite a progress row of this write exists: a table already there may be this write's own creation
 */
async function prepareTarget(
  session: SqlSession,
  spec: SqlWriteSpec,
  columns: readonly string[],
  rows: AsyncIterable<readonly SqlValue[]>,
  ownWrite: boolean,
): Promise<{ rows: AsyncIterable<readonly SqlValue[]>; created: boolean }> {
  const exists = await tableExists(session, spec.target);
  if (exists) {
    if (spec.statementType === 'create_table' && !ownWrite) {
      throw new DataSourceError(
        `table ${describe(spec.target)} already exists: statementType create_table creates a new table; use insert (with createTableIfNotExists) to add rows to an existing one`,
      );
    }
    return { rows, created: false };
  }
  if (spec.statementType !== 'create_table' && !spec.createTableIfNotExists) {
    throw new DataSourceError(
      `table ${describe(spec.target)} does not exist: create it, or set outputSettings.createTableIfNotExists`,
    );
  }
  const sample = await firstRows(rows, TYPE_SAMPLE_ROWS);
  const kinds = inferColumnKinds(columns.length, sample.head);
  const { dialect } = session;
  const definitions = columns.map((c, i) => `${dialect.quote(c)} ${dialect.columnType(kinds[i] ?? 'text')}`);
  await session.execute(`CREATE TABLE ${qualifiedName(dialect, spec.target)} (${definitions.join(', ')})`);
  return { rows: sample.all, created: true };
}

/** How one batch of rows is applied. */
interface StatementPlan {
  readonly batchRows: number;
  apply(session: SqlSession, rows: readonly (readonly SqlValue[])[]): Promise<void>;
}

function planStatements(
  dialect: SqlDialectSql,
  spec: SqlWriteSpec,
  columns: readonly string[],
): StatementPlan {
  checkColumnNames(columns);
  const table = qualifiedName(dialect, spec.target);
  const q = (c: string) => dialect.quote(c);
  const quotedColumns = columns.map(q);
  const insertRows = (session: SqlSession, rows: readonly (readonly SqlValue[])[]) =>
    session.insertRows(table, quotedColumns, rows);
  if (spec.statementType === 'insert' || spec.statementType === 'create_table') {
    return { batchRows: dialect.insertBatchRows(columns.length), apply: insertRows };
  }
  const where = columnIndexes('outputSettings.whereColumns', spec.whereColumns, columns);
  const updateNames = spec.updateColumns ?? columns.filter((c) => !spec.whereColumns.includes(c));
  const set = columnIndexes('outputSettings.updateColumns', updateNames, columns);
  if (set.length === 0) {
    throw new ValidationError([
      { field: 'outputSettings.updateColumns', message: 'no column left to update besides whereColumns' },
    ]);
  }
  let n = 0;
  const assignments = set.map((i) => `${q(columns[i] as string)} = ${dialect.placeholder(++n)}`);
  const conditions = where.map((i) =>
    dialect.nullSafeEquals(q(columns[i] as string), dialect.placeholder(++n)),
  );
  const update = `UPDATE ${table} SET ${assignments.join(', ')} WHERE ${conditions.join(' AND ')}`;
  const upsert = spec.statementType === 'insert_update';
  return {
    batchRows: ROW_BATCH_ROWS,
    async apply(session, rows) {
      for (const row of rows) {
        const params = [...set.map((i) => row[i] ?? null), ...where.map((i) => row[i] ?? null)];
        const { rowCount } = await session.execute(update, params);
        if (upsert && rowCount === 0) await insertRows(session, [row]);
      }
    },
  };
}

function checkColumnNames(columns: readonly string[]): void {
  const seen = new Set<string>();
  for (const column of columns) {
    if (column.length === 0 || column.includes('\0') || seen.has(column)) {
      throw new DataSourceError(
        `the scored output's column ${JSON.stringify(column)} cannot be a table column (empty, repeated or containing NUL): rename it with columnNamesRemapping`,
      );
    }
    seen.add(column);
  }
}

function columnIndexes(field: string, names: readonly string[], columns: readonly string[]): number[] {
  return names.map((name, index) => {
    const i = columns.indexOf(name);
    if (i < 0) {
      throw new ValidationError([
        {
          field: `${field}.${index}`,
          message: `${JSON.stringify(name)} is not a column of the scored output`,
        },
      ]);
    }
    return i;
  });
}

async function tableExists(session: SqlSession, name: SqlTableName): Promise<boolean> {
  const { sql, params } = session.dialect.tableExistsSql(name);
  const { rows } = await session.execute(sql, params);
  return rows.length > 0 && rows[0]?.[0] !== null && rows[0]?.[0] !== undefined;
}

function describe(name: SqlTableName): string {
  return JSON.stringify(name.schema === undefined ? name.table : `${name.schema}.${name.table}`);
}

/** Reads up to `n` rows ahead; `all` yields them and then the rest, as if nothing had been read. */
async function firstRows(
  rows: AsyncIterable<readonly SqlValue[]>,
  n: number,
): Promise<{ head: (readonly SqlValue[])[]; all: AsyncIterable<readonly SqlValue[]> }> {
  const iterator = rows[Symbol.asyncIterator]();
  const head: (readonly SqlValue[])[] = [];
  let done = false;
  while (head.length < n) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(next.value);
  }
  async function* all(): AsyncGenerator<readonly SqlValue[]> {
    yield* head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, all: all() };
}

async function* skip<T>(items: AsyncIterable<T>, count: number): AsyncGenerator<T> {
  let skipped = 0;
  for await (const item of items) {
    if (skipped < count) skipped++;
    else yield item;
  }
}

async function* batches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
