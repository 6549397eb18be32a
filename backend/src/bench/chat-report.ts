/** The JSON lines `npm run bench:chat` ends with, and the figures' names in them. */
import { heldTargets } from './chat-capacity';
import { type IdleResult, type StreamResult } from './chat-load';
import { TARGETS } from './chat-options';
import { round } from './chat-stats';

/** One streaming run's figures, as the JSON line names them. */
export function streamFigures(stream: StreamResult | undefined) {
  return {
    completed: stream?.completed ?? 0,
    errors: stream?.errors ?? 0,
    ...(stream?.firstError ? { first_error: stream.firstError } : {}),
    tokens_expected: stream?.tokensExpected ?? 0,
    tokens_received: stream?.tokensReceived ?? 0,
    tokens_lost: stream?.tokensLost ?? 0,
    tokens_duplicated: stream?.tokensDuplicated ?? 0,
    tokens_misrouted: stream?.tokensMisrouted ?? 0,
    usage_mismatches: stream?.usageMismatches ?? 0,
    ttft_added_p50_ms: round(stream?.ttftAddedP50Ms ?? 0),
    ttft_added_p99_ms: round(stream?.ttftAddedP99Ms ?? 0),
    token_delay_p50_ms: round(stream?.tokenDelayP50Ms ?? 0),
    token_delay_p99_ms: round(stream?.tokenDelayP99Ms ?? 0),
    token_delay_max_ms: round(stream?.tokenDelayMaxMs ?? 0),
    max_concurrent_streams: stream?.maxConcurrentStreams ?? 0,
    provider_lateness_p99_ms: round(stream?.providerLatenessP99Ms ?? 0),
    client_loop_delay_p99_ms: round(stream?.clientLoopDelayP99Ms ?? 0),
    backend_cpu_percent: round(stream?.backendCpuPercent ?? 0, 0),
    backend_system_cpu_percent: round(stream?.backendSystemCpuPercent ?? 0, 0),
    provider_cpu_percent: round(stream?.providerCpuPercent ?? 0, 0),
    clients_cpu_percent: round(stream?.clientsCpuPercent ?? 0, 0),
    machine_cpu_percent: round(stream?.machineCpuPercent ?? 0, 0),
    ...(stream?.loadCoreCpuPercent !== undefined && {
      load_core_cpu_percent: round(stream.loadCoreCpuPercent, 0),
    }),
    other_cpu_percent: round(stream?.otherCpuPercent ?? 0, 0),
    backend_cpu_us_per_token: round(stream?.backendCpuUsPerToken ?? 0, 1),
    backend_loop_delay_p99_ms: round(stream?.backendLoopDelayP99Ms ?? 0),
    backend_loop_delay_max_ms: round(stream?.backendLoopDelayMaxMs ?? 0),
    rss_mb: Math.round((stream?.backendRssBytes ?? 0) / 2 ** 20),
  };
}

function printLast(result: Record<string, unknown>): void {
  console.table(
    Object.entries(result).map(([metric, value]) => ({
      metric,
      value: typeof value === 'object' ? JSON.stringify(value) : value,
    })),
  );
  console.log(JSON.stringify(result));
}

/** The fixed-load run's line: issue 8's figures and whether its targets were met. */
export function printFixedLoad(
  load: { conversations: number; tokens: number; rate: number; idle: number },
  stream: StreamResult | undefined,
  idleResult: IdleResult | undefined,
  peakRssBytes: number,
): void {
  const { conversations, tokens, rate, idle } = load;
  const atTargetLoad =
    conversations >= TARGETS.conversations &&
    tokens >= TARGETS.tokens &&
    rate >= TARGETS.rate &&
    idle >= TARGETS.idle;
  const streamingMet =
    stream !== undefined && heldTargets({ ...stream, conversations: stream.conversations });
  const idleMet =
    idleResult !== undefined &&
    idleResult.failed === 0 &&
    idleResult.kbPerConnection <= TARGETS.idleKbPerConnection;
  printLast({
    conversations,
    tokens_per_conversation: tokens,
    tokens_per_second: rate,
    ...streamFigures(stream),
    idle_connections: idleResult?.connected ?? 0,
    idle_failed: idleResult?.failed ?? 0,
    idle_kb_per_connection: round(idleResult?.kbPerConnection ?? 0, 1),
    idle_heap_kb_per_connection: round(idleResult?.heapKbPerConnection ?? 0, 1),
    peak_rss_mb: Math.round(peakRssBytes / 2 ** 20),
    at_target_load: atTargetLoad,
    targets_met: atTargetLoad && streamingMet && idleMet,
  });
}

/** One level a capacity search ran, in the line's `levels`. */
export interface LevelRecord {
  conversations: number;
  held: boolean;
  token_delay_p99_ms: number;
  ttft_added_p50_ms: number;
  lost: number;
  duplicated: number;
  cpu_us_per_token: number;
  backend_cpu_percent: number;
  load_core_cpu_percent?: number;
}

export function levelRecord(
  conversations: number,
  stream: StreamResult,
  held: boolean,
): LevelRecord {
  return {
    conversations,
    held,
    token_delay_p99_ms: round(stream.tokenDelayP99Ms),
    ttft_added_p50_ms: round(stream.ttftAddedP50Ms),
    lost: stream.tokensLost,
    duplicated: stream.tokensDuplicated,
    cpu_us_per_token: round(stream.backendCpuUsPerToken, 1),
    backend_cpu_percent: round(stream.backendCpuPercent, 0),
    ...(stream.loadCoreCpuPercent !== undefined && {
      load_core_cpu_percent: round(stream.loadCoreCpuPercent, 0),
    }),
  };
}

/** A server's capacity: the most conversations held, and its cost per token at that load. */
export interface CapacityRecord {
  capacity_conversations: number;
  /** At the capacity level (the server's and its workers' CPU per token delivered). */
  cpu_us_per_token: number;
  /** The capacity level's full figures. */
  at_capacity?: ReturnType<typeof streamFigures>;
  levels: LevelRecord[];
}

/**
 * The capacity search's line: each server's record under its name, LoreChat's capacity against
 * the relay's (`capacity_vs_relay`) and against one worker's (`capacity_vs_one_worker`).
 */
export function printCapacity(
  load: { tokens: number; rate: number; pinned: boolean },
  records: Map<string, CapacityRecord>,
): void {
  const ratio = (name: string, base: string) => {
    const over = records.get(name)?.capacity_conversations;
    const under = records.get(base)?.capacity_conversations;
    return over !== undefined && under ? round(over / under, 3) : undefined;
  };
  const vsRelay = ratio('lorechat', 'relay');
  console.table(
    [...records].map(([server, record]) => ({
      server,
      capacity_conversations: record.capacity_conversations,
      cpu_us_per_token: record.cpu_us_per_token,
      token_delay_p99_ms: record.at_capacity?.token_delay_p99_ms,
      ttft_added_p50_ms: record.at_capacity?.ttft_added_p50_ms,
      levels_run: record.levels.length,
    })),
  );
  const workers = [...records.keys()].filter((name) => /^lorechat_\d+_workers$/.test(name));
  console.log(
    JSON.stringify({
      mode: 'capacity',
      tokens_per_conversation: load.tokens,
      tokens_per_second: load.rate,
      token_delay_p99_target_ms: TARGETS.tokenDelayP99Ms,
      ttft_added_p50_target_ms: TARGETS.ttftAddedP50Ms,
      pinned: load.pinned,
      ...Object.fromEntries(records),
      ...(vsRelay !== undefined && {
        capacity_vs_relay: vsRelay,
        capacity_vs_relay_target: TARGETS.capacityVsRelay,
        capacity_vs_relay_met: vsRelay >= TARGETS.capacityVsRelay,
      }),
      ...(workers.length > 0 &&
        records.has('lorechat') && {
          capacity_vs_one_worker: Object.fromEntries(
            workers.map((name) => [name, ratio(name, 'lorechat')]),
          ),
        }),
    }),
  );
}
