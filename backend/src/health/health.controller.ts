import { HEALTH_PATH } from '@lorechat/contracts';
import { Controller, Get, HttpCode, HttpStatus, Optional, Res } from '@nestjs/common';
import { type Response } from 'express';
import { LlmProvider } from '../llm/llm-provider';
import { RedisConnection } from '../redis/redis-connection';
import { VectorStore } from '../vector-store/vector-store';
import { Drain } from './drain';

type DependencyStatus = 'ok' | 'degraded' | 'down';

export interface HealthReport {
  /** `draining` once SIGTERM arrived: the task finishes its answers and takes no new visitors. */
  status: DependencyStatus | 'draining';
  uptimeSeconds: number;
  dependencies: {
    index: { status: DependencyStatus; documents?: number; chunks?: number; detail?: string };
    llm: { status: DependencyStatus; provider: string; model: string };
    /** Conversations, quotas and the response cache: `redis` is shared by every task. */
    state: { status: DependencyStatus; store: 'memory' | 'redis'; detail?: string };
  };
}

/**
 * Liveness and readiness for load balancers and people. Only a dependency that is down fails the
 * check (503), and so does a drain after SIGTERM, so the load balancer stops sending visitors here.
 * An empty index still serves, and restarting the task would not fill it. Neither does a Redis
 * outage fail the check: every task shares that Redis, so failing them all would take the chat
 * down, while each one can still answer from its own memory (`degraded`); nor does a Qdrant node
 * that stopped answering while another one serves the index (`degraded`). The LLM is reported as
 * configured, not called, so health checks cost nothing.
 */
@Controller(HEALTH_PATH)
export class HealthController {
  constructor(
    private readonly store: VectorStore,
    private readonly llm: LlmProvider,
    private readonly drain: Drain,
    @Optional() private readonly redis?: RedisConnection,
  ) {}

  @Get()
  @HttpCode(HttpStatus.OK)
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthReport> {
    const index = await this.indexStatus();
    const state = this.stateStatus();
    const status = this.drain.draining ? 'draining' : worst(index.status, state.status);
    if (status === 'down' || status === 'draining') {
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
    }
    const { provider, model } = this.llm.describe();
    return {
      status,
      uptimeSeconds: Math.round(process.uptime()),
      dependencies: { index, llm: { status: 'ok', provider, model }, state },
    };
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
      // nodes, so failing the check would take the chat down for a problem it is surviving.
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
