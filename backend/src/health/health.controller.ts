import { HEALTH_PATH, LIVENESS_PATH, READINESS_PATH } from '@lorechat/contracts';
import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { type Response } from 'express';
import { Drain } from './drain';
import { type HealthReport, Readiness } from './readiness';

export interface LivenessReport {
  /** `draining` after SIGTERM: still alive, finishing its answers. */
  status: 'live' | 'draining';
  uptimeSeconds: number;
}

/**
 * Health for load balancers, container checks and people, on three paths:
 *
 * - liveness (`/health/live`) answers 200 whenever the process serves HTTP, whatever its
 *   dependencies do. Load balancers and ECS check this one: replacing every task because the
 *   Qdrant or Redis they all share blinked would take the chat down and bring nothing back.
 * - readiness (`/health/ready`, and `/health` for people) reports each dependency and answers 503
 *   while the index is down or the task drains after SIGTERM. An empty index still serves, and
 *   restarting would not fill it; a Redis outage leaves every task answering from its own memory
 *   (`degraded`), and so does a Qdrant node that stopped while another serves the index: none of
 *   these fails readiness. The model is reported as configured, not called, so
 *   probes cost nothing; its failures are counted by the ProviderErrors metric instead.
 */
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: Readiness,
    private readonly drain: Drain,
  ) {}

  @Get(LIVENESS_PATH)
  live(): LivenessReport {
    return {
      status: this.drain.draining ? 'draining' : 'live',
      uptimeSeconds: Math.round(process.uptime()),
    };
  }

  @Get([READINESS_PATH, HEALTH_PATH])
  async ready(@Res({ passthrough: true }) response: Response): Promise<HealthReport> {
    const report = await this.readiness.report();
    if (report.status === 'down' || report.status === 'draining') {
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
    }
    return report;
  }
}
