import { type DependencyName, METRIC } from '@lorechat/contracts';
import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type LlmFailure } from '../llm/llm-error';
import { type MetricValue, emfLine } from './emf';
import { type ModelPrice } from '../config/model-prices';
import { answerCost, priceOf } from './prices';

export interface MetricsSettings {
  enabled: boolean;
  namespace: string;
  /** The `Environment` dimension: the stack name in AWS. */
  environment: string;
  /** The `Provider` dimension: the configured LLM provider. */
  provider: string;
  model: string;
  prices: Readonly<Record<string, ModelPrice>>;
}

/** How often each task reports its open connections, the metric connection scaling tracks. */
export const GAUGE_INTERVAL_MS = 60_000;

type Write = (line: string) => void;

/**
 * LoreChat's operational metrics as CloudWatch embedded-metric lines on stdout, which the ECS log
 * driver ships to CloudWatch Logs. Dimensions are only the environment and the provider (plus the
 * error code on errors) so the number of metrics, which CloudWatch bills for, stays fixed. When
 * disabled, every call is a no-op and nothing is written, so local output stays readable.
 */
@Injectable()
export class Metrics implements OnApplicationBootstrap, OnModuleDestroy {
  private connections = 0;
  private gauge?: NodeJS.Timeout;
  private readonly price?: ModelPrice;

  constructor(
    private readonly settings: MetricsSettings,
    private readonly write: Write = (line) => process.stdout.write(`${line}\n`),
    private readonly now: () => number = Date.now,
  ) {
    this.price = priceOf(settings.model, settings.prices);
  }

  /** Whether metric lines are written at all (METRICS_ENABLED). */
  get enabled(): boolean {
    return this.settings.enabled;
  }

  onApplicationBootstrap(): void {
    if (!this.settings.enabled) return;
    // A task with no visitors must still report zero, or scaling in would wait on missing data.
    this.gauge = setInterval(() => this.reportConnections(), GAUGE_INTERVAL_MS);
    this.gauge.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.gauge);
  }

  connectionOpened(): void {
    this.connections += 1;
  }

  connectionClosed(): void {
    this.connections = Math.max(0, this.connections - 1);
  }

  /** The open Socket.IO connections of this task, right now. */
  reportConnections(): void {
    this.emit(
      [['Environment']],
      [{ name: METRIC.activeConnections, unit: 'Count', value: this.connections }],
    );
  }

  questionAsked(): void {
    this.emitForProvider([{ name: METRIC.questions, unit: 'Count', value: 1 }]);
  }

  retrievalFinished(milliseconds: number): void {
    this.emitForProvider([
      { name: METRIC.retrievalLatency, unit: 'Milliseconds', value: milliseconds },
    ]);
  }

  firstToken(milliseconds: number): void {
    this.emitForProvider([
      { name: METRIC.timeToFirstToken, unit: 'Milliseconds', value: milliseconds },
    ]);
  }

  /** Tokens of a finished answer and, when the model has a price, what it cost. */
  answered(usage: { inputTokens: number; outputTokens: number }): void {
    const metrics: MetricValue[] = [
      { name: METRIC.inputTokens, unit: 'Count', value: usage.inputTokens },
      { name: METRIC.outputTokens, unit: 'Count', value: usage.outputTokens },
    ];
    if (this.price) {
      // CloudWatch has no currency unit; the name carries it.
      metrics.push({ name: METRIC.answerCost, unit: 'None', value: answerCost(usage, this.price) });
    }
    this.emitForProvider(metrics);
  }

  /**
   * Whether an answer found the question's answer on the site. Written as 1 (not found) or 0 on
   * every answer, so the share of unanswered questions is the metric's average.
   */
  answerOutcome(outcome: 'answered' | 'not_found'): void {
    this.emitForProvider([
      { name: METRIC.notFoundAnswers, unit: 'Count', value: outcome === 'not_found' ? 1 : 0 },
    ]);
  }

  /** A rerank of one question's candidates: how long it took, what it cost, whether it failed. */
  reranked(report: { latencyMs: number; costUsd?: number; failed: boolean }): void {
    const metrics: MetricValue[] = [
      { name: METRIC.rerankLatency, unit: 'Milliseconds', value: report.latencyMs },
      { name: METRIC.rerankErrors, unit: 'Count', value: report.failed ? 1 : 0 },
    ];
    if (report.costUsd !== undefined) {
      metrics.push({ name: METRIC.rerankCost, unit: 'None', value: report.costUsd });
    }
    this.emitForProvider(metrics);
  }

  /**
   * A response-cache lookup. Hits are written as 1 or 0 on every lookup, so the hit ratio is the
   * sum of hits over the sum of lookups, or simply the average of hits.
   */
  responseCacheLookup(hit: boolean): void {
    this.emitForProvider([
      { name: METRIC.responseCacheLookups, unit: 'Count', value: 1 },
      { name: METRIC.responseCacheHits, unit: 'Count', value: hit ? 1 : 0 },
    ]);
  }

  /** A visitor asked for a person, and the request was queued for the site owner. */
  handoffRequested(): void {
    this.emit([['Environment']], [{ name: METRIC.handoffs, unit: 'Count', value: 1 }]);
  }

  /** A handoff channel failed to take a handoff (it will be tried again): what an alarm reads. */
  handoffDeliveryFailed(): void {
    this.emit([['Environment']], [{ name: METRIC.handoffDeliveryErrors, unit: 'Count', value: 1 }]);
  }

  /**
   * A failed provider call, counted per provider (what the error-rate alarm reads) and per
   * provider and failure kind (what the dashboard breaks it down by).
   */
  providerError(failure: LlmFailure): void {
    this.emit(
      [
        ['Environment', 'Provider'],
        ['Environment', 'Provider', 'ErrorCode'],
      ],
      [{ name: METRIC.providerErrors, unit: 'Count', value: 1 }],
      { ErrorCode: failure },
    );
  }

  /** Whether this task reaches `dependency` right now (1) or not (0), what readiness alarms read. */
  dependencyReady(dependency: DependencyName, ready: boolean): void {
    this.emit(
      [['Environment', 'Dependency']],
      [{ name: METRIC.dependencyReady, unit: 'Count', value: ready ? 1 : 0 }],
      { Dependency: dependency },
    );
  }

  private emitForProvider(metrics: MetricValue[]): void {
    this.emit([['Environment', 'Provider']], metrics);
  }

  private emit(
    dimensionSets: string[][],
    metrics: MetricValue[],
    extraDimensions: Record<string, string> = {},
  ): void {
    if (!this.settings.enabled) return;
    this.write(
      emfLine({
        namespace: this.settings.namespace,
        dimensionSets,
        dimensions: {
          Environment: this.settings.environment,
          Provider: this.settings.provider,
          ...extraDimensions,
        },
        metrics,
        timestamp: this.now(),
      }),
    );
  }
}
