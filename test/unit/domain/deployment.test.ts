import { describe, expect, it } from 'vitest';
import {
  type DeploymentRecord,
  isDeploymentOrder,
  selectDeployments,
} from '../../../shared/domain/deployment.js';

const deployment = (id: string, label: string, second: number): DeploymentRecord => ({
  id,
  ownerId: 'u',
  label,
  description: null,
  modelPackageId: 'm',
  created: new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString(),
  updated: new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString(),
  version: 1,
});

const all = [deployment('1', 'beta', 1), deployment('2', 'Alpha', 2), deployment('3', 'beta', 0)];
const ids = (list: DeploymentRecord[]) => list.map((d) => d.id);

describe('selectDeployments', () => {
  it('puts the newest first by default', () => {
    expect(ids(selectDeployments(all, {}))).toEqual(['2', '1', '3']);
  });

  it('orders by label ignoring case, equal labels by creation time', () => {
    expect(ids(selectDeployments(all, { orderBy: 'label' }))).toEqual(['2', '3', '1']);
    expect(ids(selectDeployments(all, { orderBy: '-label' }))).toEqual(['1', '3', '2']);
    expect(ids(selectDeployments(all, { orderBy: 'createdAt' }))).toEqual(['3', '1', '2']);
  });

  it('keeps labels containing the search text, ignoring case, without changing its input', () => {
    expect(ids(selectDeployments(all, { search: 'ALP' }))).toEqual(['2']);
    expect(ids(selectDeployments(all, { search: 'nothing' }))).toEqual([]);
    expect(ids(all)).toEqual(['1', '2', '3']);
  });
});

describe('isDeploymentOrder', () => {
  it('accepts the four DataRobot orders only', () => {
    expect(['label', '-label', 'createdAt', '-createdAt'].every(isDeploymentOrder)).toBe(true);
    expect(['', 'name', '-updatedAt', 'LABEL'].some(isDeploymentOrder)).toBe(false);
  });
});
