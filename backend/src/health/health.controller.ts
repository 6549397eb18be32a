import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { type Response } from 'express';
import { LlmProvider } from '../llm/llm-provider';
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
  };
}

/**
 * Liveness and readiness for load balancers and people. Only a dependency that is down fails the
 * check (503), and so does a drain after SIGTERM, so the load balancer stops sending visitors here.
 * An empty index still serves, and restarting the task would not fill it. The LLM is
 * reported as configured, not called, so health checks cost nothing.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly store: VectorStore,
    private readonly llm: LlmProvider,
    private readonly drain: Drain,
  ) {}

  @Get()
  @HttpCode(HttpStatus.OK)
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthReport> {
    const index = await this.indexStatus();
    const status = this.drain.draining ? 'draining' : index.status;
    if (status === 'down' || status === 'draining') {
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
    }
    const { provider, model } = this.llm.describe();
    return {
      status,
      uptimeSeconds: Math.round(process.uptime()),
      dependencies: { index, llm: { status: 'ok', provider, model } },
    };
  }

  private async indexStatus(): Promise<HealthReport['dependencies']['index']> {
    try {
      const { documents, chunks } = await this.store.stats();
      return documents > 0
        ? { status: 'ok', documents, chunks }
        : { status: 'degraded', documents, chunks, detail: 'the index is empty: ingest a site' };
    } catch (error) {
      return { status: 'down', detail: error instanceof Error ? error.message : String(error) };
    }
  }
}
