/**
 * DataRobot's `credentials/` API (seed 003, "Store credentials securely"): create, list, get and delete stored
 * credentials of type `s3` and `basic`. The secret fields go to the vault with the record and are never returned.
 */
import { z } from 'zod';
import { CREDENTIAL_TYPES, type CredentialRecord, type CredentialSecret } from '../../domain/credential.js';
import { ConflictError, NotFoundError, NotSupportedError, ValidationError } from '../../domain/errors.js';
import { toFieldProblems } from '../../domain/zod-problems.js';
import type { Deps } from '../deps.js';

const ID_PATTERN = /^[0-9a-f]{24}$/;

const common = {
  name: z.string().trim().min(1).max(100).describe('Unique among the user’s credentials.'),
  description: z.string().max(1000).optional(),
};

/** The body of `POST /credentials/`, one shape per credentialType this build stores. */
export const CreateCredentialSchema = z.discriminatedUnion('credentialType', [
  z.strictObject({
    ...common,
    credentialType: z.literal('s3'),
    awsAccessKeyId: z.string().min(1),
    awsSecretAccessKey: z.string().min(1),
    awsSessionToken: z.string().min(1).nullable().optional(),
  }),
  z.strictObject({
    ...common,
    credentialType: z.literal('basic'),
    user: z.string().min(1),
    password: z.string(),
  }),
]);
export type CreateCredentialInput = z.input<typeof CreateCredentialSchema>;

/** DataRobot's other credential types: valid requests this build answers "not supported yet". */
const OTHER_DATAROBOT_TYPES = new Set([
  'oauth',
  'azure',
  'azure_oauth',
  'azure_service_principal',
  'gcp',
  'snowflake_key_pair_user_account',
  'snowflake_oauth_user_account',
  'databricks_access_token_account',
  'databricks_service_principal_account',
  'sap_oauth',
  'api_token',
  'bearer',
]);

/** Creates a credential for `ownerId`; ConflictError when the owner already has one with that name. */
export async function createCredential(
  deps: Deps,
  ownerId: string,
  body: unknown,
): Promise<CredentialRecord> {
  rejectOtherTypes(body);
  // Parsed without reportInput: a problem message must never echo a secret field's value.
  const parsed = CreateCredentialSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(toFieldProblems(parsed.error));
  const input = parsed.data;
  const existing = await deps.credentials.list(ownerId);
  if (existing.some((c) => c.name === input.name)) {
    throw new ConflictError(`A credential named ${JSON.stringify(input.name)} already exists`);
  }
  const record: CredentialRecord = {
    id: deps.newId(),
    ownerId,
    name: input.name,
    credentialType: input.credentialType,
    description: input.description ?? '',
    created: deps.clock.now().toISOString(),
  };
  await deps.credentials.create(record, secretOf(input));
  return record;
}

/** `GET /credentials/` filters: paging, and optionally only some credential types. */
export interface CredentialQuery {
  readonly offset: number;
  readonly limit: number;
  readonly types?: readonly string[];
}

/** One page of the owner's credentials, oldest first, with the count of all that match. */
export async function listCredentials(
  deps: Deps,
  ownerId: string,
  query: CredentialQuery,
): Promise<{ items: CredentialRecord[]; totalCount: number }> {
  const types = query.types?.length ? new Set(query.types) : null;
  const matching = (await deps.credentials.list(ownerId)).filter(
    (c) => !types || types.has(c.credentialType),
  );
  return { items: matching.slice(query.offset, query.offset + query.limit), totalCount: matching.length };
}

/** The owner's credential; NotFoundError for a missing one or another owner's. */
export async function getCredential(deps: Deps, ownerId: string, id: string): Promise<CredentialRecord> {
  const record = ID_PATTERN.test(id) ? await deps.credentials.get(ownerId, id) : null;
  if (!record) throw new NotFoundError('credential', id.slice(0, 64));
  return record;
}

/** Deletes the owner's credential and its secret; NotFoundError for a missing one or another owner's. */
export async function deleteCredential(deps: Deps, ownerId: string, id: string): Promise<void> {
  if (!ID_PATTERN.test(id) || !(await deps.credentials.delete(ownerId, id))) {
    throw new NotFoundError('credential', id.slice(0, 64));
  }
}

function rejectOtherTypes(body: unknown): void {
  const type = (body as { credentialType?: unknown } | null)?.credentialType;
  if (typeof type === 'string' && OTHER_DATAROBOT_TYPES.has(type)) {
    throw new NotSupportedError(
      'credentialType',
      `credentialType: "${type}" is not supported yet; supported: ${CREDENTIAL_TYPES.join(', ')}`,
    );
  }
  if (body === null || typeof body !== 'object') {
    throw new ValidationError([{ field: '', message: 'expected a JSON object' }]);
  }
}

function secretOf(input: z.output<typeof CreateCredentialSchema>): CredentialSecret {
  if (input.credentialType === 'basic') {
    return { credentialType: 'basic', user: input.user, password: input.password };
  }
  return {
    credentialType: 's3',
    awsAccessKeyId: input.awsAccessKeyId,
    awsSecretAccessKey: input.awsSecretAccessKey,
    ...(input.awsSessionToken ? { awsSessionToken: input.awsSessionToken } : {}),
  };
}
