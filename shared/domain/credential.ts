/**
 * Stored credentials (DataRobot's `credentials/` API, seed 003 "Store credentials securely"). A credential is a
 * public record (id, name, type, description, creation date) plus a secret that is kept apart in a vault and is
 * never returned, logged or put in a job's status.
 */
import { z } from 'zod';

/** Credential types this build stores (DataRobot has more; others are answered "not supported yet"). */
export const CREDENTIAL_TYPES = ['s3', 'basic'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

/** The secret half of a credential, as the vault holds it. */
export const CredentialSecretSchema = z.discriminatedUnion('credentialType', [
  z.strictObject({
    credentialType: z.literal('s3'),
    awsAccessKeyId: z.string().min(1),
    awsSecretAccessKey: z.string().min(1),
    awsSessionToken: z.string().min(1).optional(),
  }),
  z.strictObject({
    credentialType: z.literal('basic'),
    user: z.string().min(1),
    password: z.string(),
  }),
]);
export type CredentialSecret = z.infer<typeof CredentialSecretSchema>;

/** The public half of a credential, as stored next to the other resources. */
export const CredentialRecordSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{24}$/),
  ownerId: z.string().min(1),
  name: z.string().min(1),
  credentialType: z.enum(CREDENTIAL_TYPES),
  description: z.string(),
  created: z.iso.datetime(),
});
export type CredentialRecord = z.infer<typeof CredentialRecordSchema>;
