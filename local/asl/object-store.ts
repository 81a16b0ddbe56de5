/** The object store the Map state's ItemReader reads from and its ResultWriter writes to (S3 on AWS). */
export interface JsonObjectStore {
  /** The parsed JSON body of `bucket`/`key`; rejects when it is missing or not JSON. */
  getJson(bucket: string, key: string): Promise<unknown>;
  /** Writes `value` as the JSON body of `bucket`/`key`. */
  putJson(bucket: string, key: string, value: unknown): Promise<void>;
}
