import { DEPENDENCY, type DependencyName } from '@lorechat/contracts';
import {
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { LlmProvider } from '../llm/llm-provider';
import { GAUGE_INTERVAL_MS, Metrics } from '../metrics/metrics';
import { RedisConnection } from '../redis/redis-connection';
import { VectorStore } from '../vector-store/vector-store';
import { Drain } from './drain';

export type DependencyStatus = 'ok' | 'degraded' | 'down';

export interface HealthReport {
  /** `draining` once SIGTERM arrived: the task finishes its answers and takes no new visitors. */
  status: DependencyStatus | 'draining';
  uptimeSeconds: number;
  dependencies: {
    index: { status: DependencyStatus; documents?: number; chunks?: number; detail?: string };
    /** As configured: calling the model to check it would cost tokens on every probe. */
    llm: { status: DependencyStatus; provider: string; model: string };
    /** Conversations, quotas and the response cache: `redis` is shared by every task. */
    state: { status: DependencyStatus; store: 'memory' | 'redis'; detail?: string };
  };
}

/**
 * What the server can and cannot reach right now, for `/health/ready` and for the alarms: every
 * minute each task publishes `DependencyReady` (1 or 0) per dependency, so an outage of Qdrant or
 * Redis alarms without any load balancer acting on it. Only the index being down makes the task
 * unready: without Redis it still answers from its own memory (`degraded`).
 */
@Injectable()
export class Readiness implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: VectorStore,
    private readonly llm: LlmProvider,
    private readonly drain: Drain,
    private readonly metrics: Metrics,
    @Optional() private readonly redis?: RedisConnection,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.metrics.enabled) return;
    void this.publish();
    this.timer = setInterval(() => void this.publish(), GAUGE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async report(): Promise<HealthReport> {
    const index = await this.indexStatus();
    const state = this.stateStatus();
    const { provider, model } = this.llm.describe();
    return {
      status: this.drain.draining ? 'draining' : worst(index.status, state.status),
      uptimeSeconds: Math.round(process.uptime()),
      dependencies: { index, llm: { status: 'ok', provider, model }, state },
    };
  }

  /** One DependencyReady value per dependency this task has. */
  async publish(): Promise<void> {
    const { dependencies } = await this.report();
    const ready: [DependencyName, boolean][] = [
      [DEPENDENCY.vectorStore, dependencies.index.status !== 'down'],
    ];
    if (this.redis) ready.push([DEPENDENCY.redis, dependencies.state.status === 'ok']);
    for (const [dependency, up] of ready) this.metrics.dependencyReady(dependency, up);
  }

  private stateStatus(): HealthReport['dependencies']['state'] {
    if (!this.redis) return { status: 'ok', store: 'memory' };
    return this.redis.available
      ? { status: 'ok', store: 'redis' }
      : {
          status: 'degraded',
          store: 'redis',
          detail: 'Redis is unreachable: conversations and quotas are held by this task alone',
        };
  }

  private async indexStatus(): Promise<HealthReport['dependencies']['index']> {
    try {
      const { documents, chunks } = await this.store.stats();
      if (documents === 0) {
        return {
          status: 'degraded',
          documents,
          chunks,
          detail: 'the index is empty: ingest a site',
        };
      }
      // The index answers, through fewer replicas than it was given: every task sees the same
      // nodes, so failing readiness would take the chat down for a problem it is surviving.
      const degradation = await this.store.degradation();
      return degradation
        ? { status: 'degraded', documents, chunks, detail: degradation }
        : { status: 'ok', documents, chunks };
    } catch (error) {
      return { status: 'down', detail: error instanceof Error ? error.message : String(error) };
    }
  }
}

const SEVERITY: DependencyStatus[] = ['ok', 'degraded', 'down'];

function worst(...statuses: DependencyStatus[]): DependencyStatus {
  return SEVERITY[Math.max(...statuses.map((status) => SEVERITY.indexOf(status)))] ?? 'down';
}
