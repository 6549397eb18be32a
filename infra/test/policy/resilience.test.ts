import {
  qdrantHighlyAvailableInProtectedEnvironments,
  redisSnapshotsInProtectedEnvironments,
} from '../../policy/resilience';
import { TAGS, check, resource } from '../support/policyCheck';

/** The policy pack's production resilience rules, each against stacks that break and keep it. */
const PROD = { ...TAGS, Environment: 'prod' };

describe('qdrant-highly-available', () => {
  const node = (index: number, subnetId: string, tags = PROD) =>
    resource(
      'aws:ec2/instance:Instance',
      { userData: 'docker run qdrant/qdrant:v1.18.2-unprivileged', subnetId, tagsAll: tags },
      { name: `qdrant-${index}` },
    );

  it('fails a single Qdrant node in prod, and three nodes sharing a zone', async () => {
    expect(await check(qdrantHighlyAvailableInProtectedEnvironments, node(1, 'subnet-a'))).toEqual([
      expect.stringContaining('Qdrant runs on 1 node(s) in production'),
    ]);
    expect(
      await check(
        qdrantHighlyAvailableInProtectedEnvironments,
        node(1, 'subnet-a'),
        node(2, 'subnet-a'),
        node(3, 'subnet-b'),
      ),
    ).toEqual([expect.stringContaining('share subnets')]);
  });

  it('passes three nodes in three zones, a managed cluster, and a single node outside prod', async () => {
    expect(
      await check(
        qdrantHighlyAvailableInProtectedEnvironments,
        node(1, 'subnet-a'),
        node(2, 'subnet-b'),
        node(3, 'subnet-c'),
      ),
    ).toEqual([]);
    // Managed: no Qdrant instance at all.
    expect(
      await check(
        qdrantHighlyAvailableInProtectedEnvironments,
        resource('aws:ec2/instance:Instance', { userData: '#!/bin/bash', tagsAll: PROD }),
      ),
    ).toEqual([]);
    expect(
      await check(qdrantHighlyAvailableInProtectedEnvironments, node(1, 'subnet-a', TAGS)),
    ).toEqual([]);
  });
});

describe('redis-snapshots', () => {
  const redis = (props: Record<string, unknown>) =>
    resource('aws:elasticache/replicationGroup:ReplicationGroup', props);

  it('fails Redis in prod that keeps less than a week of snapshots, or none', async () => {
    expect(
      await check(
        redisSnapshotsInProtectedEnvironments,
        redis({ snapshotRetentionLimit: 1, tagsAll: PROD }),
      ),
    ).toEqual([expect.stringContaining('Redis keeps 1 day(s) of snapshots in production')]);
    expect(await check(redisSnapshotsInProtectedEnvironments, redis({ tagsAll: PROD }))).toEqual([
      expect.stringContaining('Redis keeps 0 day(s)'),
    ]);
  });

  it('passes a week in prod, and anything outside prod', async () => {
    expect(
      await check(
        redisSnapshotsInProtectedEnvironments,
        redis({ snapshotRetentionLimit: 7, tagsAll: PROD }),
      ),
    ).toEqual([]);
    expect(await check(redisSnapshotsInProtectedEnvironments, redis({ tagsAll: TAGS }))).toEqual(
      [],
    );
  });
});
