import { type Settings } from './fields';

/**
 * The rules between the keys that keep state alive: how many Qdrant nodes a stack may run, from
 * which snapshots, and when snapshots are taken relative to the nightly crawl.
 */

/** Snapshots start at least this long before or after the nightly crawl, so they never overlap. */
export const SNAPSHOT_INGEST_GAP_MINUTES = 120;

const MINUTES_PER_DAY = 24 * 60;

export function resilienceProblems(s: Settings): string[] {
  const problems: string[] = [];
  if (s.vectorDbMode === 'managed') {
    if (s.qdrantNodes !== 1) {
      problems.push(
        'lorechat:qdrantNodes is only used when vectorDbMode is self-hosted: the managed cluster sizes itself in Qdrant Cloud (remove it with `pulumi config rm lorechat:qdrantNodes`)',
      );
    }
    if (s.qdrantRestoreSnapshotIds.length > 0) {
      problems.push(
        'lorechat:qdrantRestoreSnapshotIds is only used when vectorDbMode is self-hosted: restore a managed cluster in Qdrant Cloud',
      );
    }
    return problems;
  }
  problems.push(...qdrantClusterProblems(s.qdrantNodes, s.availabilityZones));
  // Each zone's subnet is a sixteenth of the VPC; a node's reserved /28 needs a /26 or larger.
  if (Number(s.vpcCidr.split('/')[1]) > 22) {
    problems.push(
      `lorechat:vpcCidr must be /22 or larger with self-hosted Qdrant (got ${s.vpcCidr}): each node has a reserved /28 in its zone’s subnet, a sixteenth of the VPC`,
    );
  }
  const snapshots = s.qdrantRestoreSnapshotIds;
  if (snapshots.length > 0 && snapshots.length !== s.qdrantNodes) {
    problems.push(
      `lorechat:qdrantRestoreSnapshotIds must hold one snapshot per Qdrant node, in node order (${s.qdrantNodes} for lorechat:qdrantNodes ${s.qdrantNodes}; got ${snapshots.length})`,
    );
  }
  if (new Set(snapshots).size !== snapshots.length) {
    problems.push(
      'lorechat:qdrantRestoreSnapshotIds names one snapshot twice: each node restores its own volume',
    );
  }
  const ingestAt = s.ingestSiteUrl ? dailyUtcMinutes(s.ingestSchedule) : undefined;
  const snapshotAt = timeOfDayMinutes(s.qdrantSnapshotTime);
  if (ingestAt !== undefined && minutesApart(ingestAt, snapshotAt) < SNAPSHOT_INGEST_GAP_MINUTES) {
    problems.push(
      `lorechat:qdrantSnapshotTime (${s.qdrantSnapshotTime} UTC) must be at least ${SNAPSHOT_INGEST_GAP_MINUTES / 60} hours from the nightly crawl (lorechat:ingestSchedule ${s.ingestSchedule}): a snapshot taken mid-crawl holds a half-written index`,
    );
  }
  return problems;
}

/**
 * A Qdrant cluster agrees on its shard layout by Raft, which needs a majority of nodes: one node,
 * or an odd number of at least three (two nodes survive no loss, four no more than three do), and
 * each node in its own zone, so that losing a zone loses one node.
 */
export function qdrantClusterProblems(nodes: number, availabilityZones: number): string[] {
  const problems: string[] = [];
  if (nodes > 1 && nodes % 2 === 0) {
    problems.push(
      `lorechat:qdrantNodes must be 1 or an odd number from 3 (got ${nodes}): the cluster needs a majority of its nodes to agree, so ${nodes} nodes survive no more losses than ${nodes - 1}`,
    );
  }
  if (nodes > availabilityZones) {
    problems.push(
      `lorechat:qdrantNodes (${nodes}) must not exceed lorechat:availabilityZones (${availabilityZones}): each node runs in its own zone, so a lost zone takes one node; raise availabilityZones to ${nodes}`,
    );
  }
  return problems;
}

/**
 * The UTC minute of the day an EventBridge Scheduler cron expression runs, when it runs once a
 * day at a fixed time (`cron(0 3 * * ? *)`); undefined for `rate(...)` and for anything that runs
 * at several times a day, which no single snapshot time can avoid by a fixed gap.
 */
export function dailyUtcMinutes(schedule: string | undefined): number | undefined {
  const match = /^cron\((\d{1,2}) (\d{1,2}) \S+ \S+ \S+ \S+\)$/.exec(schedule ?? '');
  if (!match) return undefined;
  return Number(match[2]) * 60 + Number(match[1]);
}

/** `hh:mm` as minutes after midnight. */
export function timeOfDayMinutes(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

/** How far apart two times of day are, either way round midnight. */
export function minutesApart(a: number, b: number): number {
  const difference = Math.abs(a - b) % MINUTES_PER_DAY;
  return Math.min(difference, MINUTES_PER_DAY - difference);
}
