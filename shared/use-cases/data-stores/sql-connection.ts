/**
 * The SQL connection a job's jdbc settings stand for: the owner's data store (driver + JDBC URL) and the owner's
 * basic credential (user, password). TLS follows the URL's `ssl`/`sslmode` (PostgreSQL) or `useSSL`/`sslMode`
 * (MySQL/MariaDB) parameter; without a credential, the URL's `user` parameter connects without a password.
 */
import { checkDataStoreParams, type JdbcUrl } from '../../domain/data-store.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { SqlConnection } from '../../ports/sql-database.js';
import type { Deps } from '../deps.js';

/** The jdbc fields of intakeSettings or outputSettings that name what to connect to. */
export interface JdbcReference {
  readonly dataStoreId: string;
  readonly credentialId?: string | null | undefined;
}

/** Throws NotFoundError unless the data store exists and is the owner's (the credential is checked elsewhere). */
export async function requireDataStore(deps: Deps, ownerId: string, dataStoreId: string): Promise<void> {
  if (!(await deps.dataStores.get(ownerId, dataStoreId))) {
    throw new NotFoundError('data store', dataStoreId.slice(0, 64));
  }
}

/**
 * Resolves the connection of `reference` for the owner.
 *
 * @param prefix the settings object it came from (`intakeSettings` / `outputSettings`), named in errors; empty
 *   when `credentialId` is a top-level field of the request
 */
export async function sqlConnectionOf(
  deps: Deps,
  ownerId: string,
  reference: JdbcReference,
  prefix: string,
): Promise<SqlConnection> {
  const store = await deps.dataStores.get(ownerId, reference.dataStoreId);
  if (!store) throw new NotFoundError('data store', reference.dataStoreId.slice(0, 64));
  const url = checkDataStoreParams(store.driverId, store.jdbcUrl);
  return connectionTo(url, await loginOf(deps, ownerId, reference, url, prefix));
}

/** The connection to a data store's URL as `login`. */
export function connectionTo(url: JdbcUrl, login: { user: string; password: string }): SqlConnection {
  const { user, password } = login;
  const tls = tlsOf(url);
  return {
    dialect: url.dialect,
    host: url.host,
    port: url.port,
    database: url.database,
    user,
    password,
    ssl: tls.ssl,
    sslVerify: tls.verify,
  };
}

async function loginOf(
  deps: Deps,
  ownerId: string,
  reference: JdbcReference,
  url: JdbcUrl,
  prefix: string,
): Promise<{ user: string; password: string }> {
  const field = prefix === '' ? 'credentialId' : `${prefix}.credentialId`;
  if (reference.credentialId === undefined || reference.credentialId === null) {
    const user = url.params.user;
    if (user === undefined || user === '') {
      throw new ValidationError([
        { field, message: 'required: a basic credential (user and password) for the database' },
      ]);
    }
    return { user, password: '' };
  }
  const secret = await deps.credentials.secretOf(ownerId, reference.credentialId);
  if (!secret) throw new NotFoundError('credential', reference.credentialId.slice(0, 64));
  if (secret.credentialType !== 'basic') {
    throw new ValidationError([
      {
        field,
        message: `expected a basic credential (user and password), got a ${secret.credentialType} credential`,
      },
    ]);
  }
  return { user: secret.user, password: secret.password };
}

/** JDBC's TLS parameters: PostgreSQL `ssl=true` / `sslmode=...`, MySQL `useSSL=true` / `sslMode=...`. */
function tlsOf(url: JdbcUrl): { ssl: boolean; verify: boolean } {
  const param = (name: string) =>
    Object.entries(url.params)
      .find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1]
      ?.toLowerCase();
  const mode = param('sslmode');
  if (mode !== undefined) {
    const ssl = !['disable', 'disabled', 'allow', 'prefer', 'preferred'].includes(mode);
    const verify = ['verify-ca', 'verify-full', 'verify_ca', 'verify_identity'].includes(mode);
    return { ssl, verify };
  }
  const flag = param(url.dialect === 'postgresql' ? 'ssl' : 'useSSL');
  return { ssl: flag === 'true', verify: true };
}
