/**
 * Turns driver errors into DataSourceErrors a user can act on: what failed, what to check, the database's own
 * words where they help (a syntax error's position, the offending value). The password is never part of the
 * message: drivers do not put it there, and any occurrence is masked all the same.
 */
import { DataSourceError, DomainError } from '../../domain/errors.js';
import type { SqlConnection } from '../../ports/sql-database.js';

/** What the adapter was doing when the error happened, for the message. */
export interface FailureContext {
  readonly connection: SqlConnection;
  readonly action: 'connect' | 'read' | 'write';
  /** Rows committed to the target before the failure (writes only). */
  readonly rowsCommitted?: number;
}

interface DriverError {
  readonly code?: string;
  readonly errno?: number;
  readonly message?: string;
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ECONNRESET: 'the server closed the connection',
};

/** PostgreSQL SQLSTATEs and MySQL error numbers, grouped by what the user has to fix. */
const AUTH = new Set(['28P01', '28000', '1045', '1044', '1698']);
const NO_DATABASE = new Set(['3D000', '1049', '1046']);
const SYNTAX = new Set(['42601', '1064', '1149', '42000']);
const NO_TABLE = new Set(['42P01', '3F000', '1146']);
const NO_COLUMN = new Set(['42703', '1054']);
const PRIVILEGE = new Set(['42501', '1142', '1143', '1227']);
const DUPLICATE = new Set(['23505', '1062']);
/** The connection died under the statement (pg_terminate_backend, KILL, a server restart). */
const LOST = new Set([
  '57P01',
  '57P02',
  '57P03',
  '1927',
  '4031',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED',
]);
/** The drivers' words for a connection that is already gone when the next statement is sent. */
const LOST_MESSAGE =
  /Connection terminated|connection lost|closed state|not queryable|Cannot enqueue|ended by the other party/i;
/** A value that does not fit its column. */
const TYPE_MISMATCH = new Set(['1366', '1264', '1265', '1406', '1292', '1048', '1411', '1367']);

/** A DataSourceError for a driver error; domain errors and non-driver errors are returned as they are. */
export function sqlFailure(error: unknown, context: FailureContext): Error {
  if (error instanceof DomainError || !(error instanceof Error)) return error as Error;
  const e = error as DriverError;
  const sqlState = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  const key = sqlState ?? (e.errno !== undefined && e.errno > 0 ? String(e.errno) : (e.code ?? ''));
  const { connection } = context;
  const where = `${connection.dialect} database at ${connection.host}:${connection.port}`;
  const said = databaseSaid(e.message ?? '', connection.password);
  const committed =
    context.rowsCommitted === undefined
      ? ''
      : ` ${context.rowsCommitted} rows committed before the failure stay in the table.`;
  const lostConnection = LOST.has(key) || LOST.has(e.code ?? '') || LOST_MESSAGE.test(e.message ?? '');
  let message: string;
  if (
    NETWORK_CODES[e.code ?? ''] !== undefined ||
    /timeout expired|connection timeout|connect ETIMEDOUT/i.test(e.message ?? '')
  ) {
    const why = NETWORK_CODES[e.code ?? ''] ?? 'the connection timed out';
    message = `cannot reach the ${where}: ${why}. Check the data store's jdbcUrl (host and port) and that the database accepts connections from Batchline.`;
    if (context.action === 'write' && e.code === 'ECONNRESET') message += committed;
  } else if (AUTH.has(key)) {
    message = `the ${where} refused the login of user ${JSON.stringify(connection.user)}: check the credential's user and password and the user's access to the database.`;
  } else if (NO_DATABASE.has(key)) {
    message = `the ${where} has no such database (or none was chosen): ${said}. Check the database in the data store's jdbcUrl, or give schema.`;
  } else if (lostConnection) {
    message = `the connection to the ${where} was lost during the ${context.action}: ${said}.${committed}`;
  } else if (SYNTAX.has(key) && context.action === 'read') {
    message = `the query is not valid SQL for ${connection.dialect}: ${said}. Check intakeSettings.query.`;
  } else if (NO_TABLE.has(key)) {
    message = `a table does not exist: ${said}. Check the table and schema settings${context.action === 'write' ? ' (or set createTableIfNotExists)' : ''}.`;
  } else if (NO_COLUMN.has(key)) {
    message = `a column does not exist: ${said}. The scored columns must match the table's columns.${committed}`;
  } else if (PRIVILEGE.has(key)) {
    message = `the database user lacks a privilege: ${said}. Grant it or use another credential.${committed}`;
  } else if (DUPLICATE.has(key)) {
    message = `a row clashes with a unique key of the table: ${said}.${committed}`;
  } else if ((sqlState?.startsWith('22') ?? false) && context.action === 'read') {
    message = `the query failed on a value: ${said}. Check intakeSettings.query.`;
  } else if ((sqlState?.startsWith('22') ?? false) || sqlState === '23502' || TYPE_MISMATCH.has(key)) {
    message = `a value does not fit its column (type mismatch): ${said}.${committed}`;
  } else {
    message = `the ${where} failed the ${context.action}: ${said}.${committed}`;
  }
  return new DataSourceError(message);
}

/** The driver's message, one line, shortened, with the password masked. */
function databaseSaid(message: string, password: string): string {
  const line = message.split('\n')[0]?.trim() ?? '';
  const masked = password.length > 0 ? line.replaceAll(password, '***') : line;
  return masked.length > 500 ? `${masked.slice(0, 500)}...` : masked;
}
