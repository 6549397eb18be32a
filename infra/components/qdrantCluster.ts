import * as ipaddr from 'ipaddr.js';

/**
 * The plain facts of a self-hosted Qdrant deployment: each node's name and fixed address, the
 * settings the LoreChat server needs for a cluster, the snapshot schedule, and the first-boot
 * script. No resources here, so each is tested on its own.
 */

/** Qdrant's REST port. */
export const QDRANT_PORT = 6333;

/** Qdrant's peer-to-peer port, which cluster nodes (and only they) talk to each other on. */
export const QDRANT_P2P_PORT = 6335;

/** The root volume: the system, Docker and the Qdrant image; the data has its own volume. */
export const ROOT_VOLUME_GIB = 8;

/** Swap on the root volume, so the smallest instances (0.5 GiB) survive a burst of memory. */
export const SWAP_GIB = 1;

/** Where the data volume is mounted on the instance and handed to the container. */
export const QDRANT_DATA_PATH = '/var/lib/qdrant';

/**
 * Copies of each shard in a cluster: two, so that any one node can be lost (a zone, an upgrade)
 * with every shard still served by the other copy.
 */
export const CLUSTER_REPLICATION_FACTOR = 2;

/** Writes acknowledged by one copy: with two copies, writes go on while one node is down. */
export const CLUSTER_WRITE_CONSISTENCY = 1;

/** Shards per node: six on three nodes, so the shards spread evenly when a node is added. */
export const SHARDS_PER_NODE = 2;

/**
 * The logical name of node `index` (from 0). The first node keeps the name the single instance
 * always had, so a stack that grows to a cluster keeps its first node and that node's data.
 */
export function qdrantNodeName(name: string, index: number): string {
  return index === 0 ? `${name}-qdrant` : `${name}-qdrant-${index + 1}`;
}

/**
 * A node's fixed private address in its subnet, and the /28 reserved around it. The address is
 * fixed so that a replaced node comes back at the URI its peers and the server know it by (Qdrant
 * identifies a peer by its URI, and the server's QDRANT_URL then never changes), and the range is
 * reserved `explicit` so that AWS never hands it to a Fargate task while the node is being
 * replaced. The /28 starts 16 addresses in, clear of the five addresses AWS keeps in every subnet.
 */
export function qdrantNodeAddress(subnetCidr: string): { reservedCidr: string; address: string } {
  const [network, prefix] = ipaddr.IPv4.parseCIDR(subnetCidr);
  if (prefix > 26) {
    throw new Error(
      `the subnet ${subnetCidr} is too small for a reserved Qdrant address (/26 or larger)`,
    );
  }
  const base = ipaddr.IPv4.networkAddressFromCIDR(subnetCidr).toByteArray();
  const reserved = ipaddr.fromByteArray([
    base[0] ?? 0,
    base[1] ?? 0,
    base[2] ?? 0,
    (base[3] ?? 0) + 16,
  ]);
  if (!reserved.match(network, prefix)) throw new Error(`no room in ${subnetCidr}`);
  return { reservedCidr: `${reserved.toString()}/28`, address: reserved.toString() };
}

/** What the server connects to: every node, so it fails over when one stops answering. */
export function qdrantServiceUrl(addresses: string[]): string {
  return addresses.map((address) => `http://${address}:${QDRANT_PORT}`).join(',');
}

/**
 * The collection settings the server creates its collections with: none for one node (the
 * server's defaults), otherwise replicated so that the cluster survives one lost node.
 */
export function qdrantClusterEnvironment(nodes: number): Record<string, string> {
  if (nodes <= 1) return {};
  return {
    QDRANT_SHARD_NUMBER: String(nodes * SHARDS_PER_NODE),
    QDRANT_REPLICATION_FACTOR: String(CLUSTER_REPLICATION_FACTOR),
    QDRANT_WRITE_CONSISTENCY: String(CLUSTER_WRITE_CONSISTENCY),
  };
}

/** How a node takes part in a cluster: the URI it is reached at, and the peer it first joins. */
export interface ClusterRole {
  uri: string;
  /** The first node's URI, for every other node; the first node starts the cluster. */
  bootstrap?: string;
}

/** Each node's cluster role, for nodes at these addresses; undefined for a single node. */
export function clusterRoles(addresses: string[]): (ClusterRole | undefined)[] {
  if (addresses.length <= 1) return addresses.map(() => undefined);
  const uris = addresses.map((address) => `http://${address}:${QDRANT_P2P_PORT}`);
  return uris.map((uri, index) => (index === 0 ? { uri } : { uri, bootstrap: uris[0] }));
}

/**
 * First-boot script of a Qdrant node. It formats the data volume only when the volume is blank, so
 * a replaced instance (or one restored from a snapshot) picks up the existing data, and reads the
 * API key from Secrets Manager at boot so the key never appears in the instance's user data. Cloud
 * init runs it on the first boot only, which is why the instance is replaced when it changes.
 */
export function qdrantUserData(args: {
  volumeId: string;
  secretArn: string;
  region: string;
  version: string;
  cluster?: ClusterRole;
}): string {
  // Nitro instances expose EBS volumes as NVMe devices whose serial is the volume id sans dash.
  const serial = args.volumeId.replace('-', '');
  const clusterEnvironment = args.cluster ? 'QDRANT__CLUSTER__ENABLED=true\\n' : '';
  // A joining node retries through Docker's restart policy until the first node answers; once
  // a node holds cluster state on its volume, Qdrant ignores --bootstrap and rejoins as itself.
  const clusterArguments = args.cluster
    ? ` \\\n  ./qdrant --uri '${args.cluster.uri}'${args.cluster.bootstrap ? ` --bootstrap '${args.cluster.bootstrap}'` : ''}`
    : '';
  const p2pPort = args.cluster ? ` \\\n  --publish ${QDRANT_P2P_PORT}:${QDRANT_P2P_PORT}` : '';
  return `#!/bin/bash
set -euo pipefail

device=""
for attempt in $(seq 1 120); do
  device=$(lsblk --nodeps --noheadings --paths --output NAME,SERIAL | awk '$2 == "${serial}" { print $1 }')
  [ -n "$device" ] && break
  sleep 5
done
if [ -z "$device" ]; then
  echo "data volume ${args.volumeId} was never attached" >&2
  exit 1
fi
if ! blkid "$device"; then
  mkfs.xfs "$device"
fi
mkdir -p ${QDRANT_DATA_PATH}
uuid=$(blkid --match-tag UUID --output value "$device")
grep -q "$uuid" /etc/fstab || echo "UUID=$uuid ${QDRANT_DATA_PATH} xfs defaults,nofail 0 2" >> /etc/fstab
mount -a
# The unprivileged image runs Qdrant as uid 1000.
chown 1000:1000 ${QDRANT_DATA_PATH}

if [ ! -f /swapfile ]; then
  fallocate -l ${SWAP_GIB}G /swapfile
  chmod 600 /swapfile
  mkswap /swapfile
fi
grep -q /swapfile /etc/fstab || echo "/swapfile none swap defaults 0 0" >> /etc/fstab
swapon -a

dnf install -y docker
systemctl enable --now docker

umask 077
api_key=$(aws secretsmanager get-secret-value --region ${args.region} --secret-id '${args.secretArn}' \\
  --query SecretString --output text | python3 -c 'import json, sys; print(json.load(sys.stdin)["QDRANT_API_KEY"])')
printf 'QDRANT__SERVICE__API_KEY=%s\\nQDRANT__TELEMETRY_DISABLED=true\\n${clusterEnvironment}' "$api_key" > /etc/qdrant.env

docker run --detach --name qdrant --restart unless-stopped \\
  --publish ${QDRANT_PORT}:${QDRANT_PORT}${p2pPort} \\
  --volume ${QDRANT_DATA_PATH}:/qdrant/storage \\
  --env-file /etc/qdrant.env \\
  qdrant/qdrant:${args.version}-unprivileged${clusterArguments}
`;
}
