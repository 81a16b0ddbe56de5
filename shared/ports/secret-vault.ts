/** Where credential secrets are kept, by name: Secrets Manager on AWS, an encrypted table item locally. */
export interface SecretVault {
  /** Stores (or replaces) the secret `value` under `name`. */
  put(name: string, value: string): Promise<void>;
  /** The secret stored under `name`, or null when there is none. */
  get(name: string): Promise<string | null>;
  /** Removes the secret; removing a missing secret is not an error. */
  delete(name: string): Promise<void>;
}
