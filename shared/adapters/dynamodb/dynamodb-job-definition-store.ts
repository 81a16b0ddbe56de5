/**
 * {@link JobDefinitionStore} on the resources table. A definition's name is claimed by a small item keyed by
 * owner and name, written conditionally before the definition, so two creates (or renames) racing for one name
 * cannot both win: the loser gets a ConflictError (HTTP 409), as DataRobot answers a duplicate name.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import {
  DEFINITION_LOG_LINES,
  type DefinitionRunPatch,
  type JobDefinitionRecord,
  JobDefinitionRecordSchema,
} from '../../domain/job-definition.js';
import type {
  DefinitionQuery,
  DefinitionSettingsPatch,
  JobDefinitionStore,
} from '../../ports/definition-store.js';
import { type ItemKey, ResourceTable } from './resource-table.js';

const TYPE = 'JOBDEF';
const NAME_TYPE = 'JOBDEFNAME';
const KIND = 'job definition';

export class DynamoDbJobDefinitionStore implements JobDefinitionStore {
  private readonly table: ResourceTable;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new ResourceTable(client, tableName);
  }

  async create(record: JobDefinitionRecord): Promise<void> {
    await this.claimName(record.ownerId, record.name, record.id);
    if (!(await this.table.putNew(keyOf(record.id), record, record))) {
      await this.table.delete(nameKey(record.ownerId, record.name));
      throw new ConflictError(`${KIND} ${record.id} already exists`);
    }
  }

  async get(ownerId: string, id: string): Promise<JobDefinitionRecord | null> {
    const item = await this.table.readOwned(keyOf(id), ownerId);
    return item && JobDefinitionRecordSchema.parse(item);
  }

  async getById(id: string): Promise<JobDefinitionRecord | null> {
    const item = await this.table.read(keyOf(id));
    return item && JobDefinitionRecordSchema.parse(item);
  }

  async list(
    ownerId: string,
    query: DefinitionQuery,
  ): Promise<{ items: JobDefinitionRecord[]; totalCount: number }> {
    const all = (await this.table.listOwned(ownerId, TYPE, 'newestFirst'))
      .map((item) => JobDefinitionRecordSchema.parse(item))
      .filter((d) => query.searchName === undefined || d.name === query.searchName)
      .filter(
        (d) =>
          query.deploymentId === undefined ||
          (d.spec as { deploymentId?: string }).deploymentId === query.deploymentId,
      );
    return { items: all.slice(query.offset, query.offset + query.limit), totalCount: all.length };
  }

  async update(current: JobDefinitionRecord, patch: DefinitionSettingsPatch): Promise<JobDefinitionRecord> {
    const renamed = patch.name !== current.name;
    if (renamed) await this.claimName(current.ownerId, patch.name, current.id);
    const item = await this.table.updateOwned(keyOf(current.id), current.ownerId, { ...patch });
    if (!item) {
      if (renamed) await this.table.delete(nameKey(current.ownerId, patch.name));
      throw new NotFoundError(KIND, current.id);
    }
    if (renamed) await this.table.delete(nameKey(current.ownerId, current.name));
    return JobDefinitionRecordSchema.parse(item);
  }

  async recordRun(ownerId: string, id: string, patch: DefinitionRunPatch): Promise<boolean> {
    return (await this.table.updateOwned(keyOf(id), ownerId, { ...patch })) !== null;
  }

  async appendLog(ownerId: string, id: string, line: string): Promise<boolean> {
    const current = await this.get(ownerId, id);
    if (!current) return false;
    // Read-modify-write: a line lost to a concurrent append is acceptable for a diagnostic log.
    const logs = [...current.logs, line].slice(-DEFINITION_LOG_LINES);
    return (await this.table.updateOwned(keyOf(id), ownerId, { logs })) !== null;
  }

  async delete(ownerId: string, id: string): Promise<void> {
    const current = await this.get(ownerId, id);
    if (!current || !(await this.table.deleteOwned(keyOf(id), ownerId))) throw new NotFoundError(KIND, id);
    await this.table.delete(nameKey(ownerId, current.name));
  }

  /** Claims `name` for definition `id`; a claim left by a crash of the same definition counts as its own. */
  private async claimName(ownerId: string, name: string, id: string): Promise<void> {
    if (await this.table.putNew(nameKey(ownerId, name), { ownerId, definitionId: id })) return;
    const claim = await this.table.read(nameKey(ownerId, name));
    const holder = claim && String(claim.definitionId);
    if (holder === id) return;
    // A crash between deleting (or renaming) the holder and freeing the name leaves a stale claim: if the
    // holder no longer has this name, the name is free.
    const holderRecord = holder ? await this.table.read(keyOf(holder)) : null;
    if (holderRecord?.name === name) {
      throw new ConflictError(`A job definition named ${JSON.stringify(name)} already exists`);
    }
    await this.table.delete(nameKey(ownerId, name));
    if (!(await this.table.putNew(nameKey(ownerId, name), { ownerId, definitionId: id }))) {
      throw new ConflictError(`A job definition named ${JSON.stringify(name)} already exists`);
    }
  }
}

function keyOf(id: string): ItemKey {
  return { type: TYPE, id };
}

function nameKey(ownerId: string, name: string): ItemKey {
  return { type: NAME_TYPE, id: `${ownerId}#${name}` };
}
