import { loadConfig } from '../config/app-config';
import { METRIC } from '@lorechat/contracts';
import { Metrics, type MetricsSettings } from './metrics';
import { DEFAULT_LLM_PRICES } from '../config/model-prices';
import { answerCost, priceOf } from './prices';

/** The members the EMF specification requires of every record, checked on each parsed line. */
interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [member: string]: unknown;
}

const UNITS = ['Count', 'Milliseconds', 'None'];

function expectValidEmf(line: string): EmfDocument {
  const document = JSON.parse(line) as EmfDocument;
  expect(Number.isInteger(document._aws.Timestamp)).toBe(true);
  expect(document._aws.CloudWatchMetrics.length).toBeGreaterThan(0);
  for (const directive of document._aws.CloudWatchMetrics) {
    expect(directive.Namespace).toMatch(/^[\w./#:-]{1,255}$/);
    expect(directive.Metrics.length).toBeGreaterThan(0);
    expect(directive.Metrics.length).toBeLessThanOrEqual(100);
    for (const set of directive.Dimensions) {
      expect(set.length).toBeLessThanOrEqual(30);
      // Every dimension named must be a string member of the record.
      for (const name of set) expect(typeof document[name]).toBe('string');
    }
    for (const metric of directive.Metrics) {
      expect(UNITS).toContain(metric.Unit);
      // Every metric named must be a number member of the record.
      expect(typeof document[metric.Name]).toBe('number');
    }
  }
  return document;
}

describe('Metrics', () => {
  const settings: MetricsSettings = {
    enabled: true,
    namespace: 'LoreChat',
    environment: 'prod',
    provider: 'bedrock',
    model: 'eu.amazon.nova-lite-v1:0',
    prices: DEFAULT_LLM_PRICES,
  };
  let lines: string[];
  const metricsWith = (overrides: Partial<MetricsSettings> = {}) =>
    new Metrics(
      { ...settings, ...overrides },
      (line) => lines.push(line),
      () => 1_764_115_200_000,
    );

  beforeEach(() => {
    lines = [];
  });

  it('writes one valid EMF line per event, dimensioned by environment and provider', () => {
    const metrics = metricsWith();
    metrics.questionAsked();
    metrics.retrievalFinished(42.5);
    metrics.firstToken(850);
    expect(lines).toHaveLength(3);
    const [question, retrieval, firstToken] = lines.map(expectValidEmf);
    expect(question).toMatchObject({
      _aws: {
        Timestamp: 1_764_115_200_000,
        CloudWatchMetrics: [
          {
            Namespace: 'LoreChat',
            Dimensions: [['Environment', 'Provider']],
            Metrics: [{ Name: METRIC.questions, Unit: 'Count' }],
          },
        ],
      },
      Environment: 'prod',
      Provider: 'bedrock',
      Questions: 1,
    });
    expect(retrieval?.RetrievalLatency).toBe(42.5);
    expect(firstToken?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: METRIC.timeToFirstToken, Unit: 'Milliseconds' },
    ]);
    expect(firstToken?.TimeToFirstToken).toBe(850);
  });

  it('reports tokens and the estimated cost of an answer from the price table', () => {
    metricsWith().answered({ inputTokens: 2000, outputTokens: 500 });
    const document = expectValidEmf(lines[0] ?? '');
    expect(document).toMatchObject({ InputTokens: 2000, OutputTokens: 500 });
    // Nova Lite: 2000 × $0.06 + 500 × $0.24 per million tokens.
    expect(document.AnswerCostUSD).toBeCloseTo(0.00024, 10);
  });

  it('reports no cost for a model without a price rather than a made-up one', () => {
    metricsWith({ model: 'mistral-large' }).answered({ inputTokens: 10, outputTokens: 10 });
    const document = expectValidEmf(lines[0] ?? '');
    expect(document.AnswerCostUSD).toBeUndefined();
    expect(document._aws.CloudWatchMetrics[0]?.Metrics.map((metric) => metric.Name)).toEqual([
      METRIC.inputTokens,
      METRIC.outputTokens,
    ]);
  });

  it('counts answers the site did not answer as 1, answered ones as 0, so the average is the share', () => {
    const metrics = metricsWith();
    metrics.answerOutcome('not_found');
    metrics.answerOutcome('answered');
    expect(lines.map((line) => expectValidEmf(line)[METRIC.notFoundAnswers])).toEqual([1, 0]);
  });

  it('reports each rerank with its latency, its cost when priced, and whether it failed', () => {
    const metrics = metricsWith();
    metrics.reranked({ latencyMs: 120, costUsd: 0.001, failed: false });
    metrics.reranked({ latencyMs: 2000, failed: true });
    const [ok, failed] = lines.map((line) => expectValidEmf(line));
    expect(ok).toMatchObject({ RerankLatency: 120, RerankCostUSD: 0.001, RerankErrors: 0 });
    expect(failed).toMatchObject({ RerankLatency: 2000, RerankErrors: 1 });
    expect(failed?.RerankCostUSD).toBeUndefined();
  });

  it('counts provider errors per provider and per failure kind in one record', () => {
    metricsWith().providerError('rate_limit');
    const document = expectValidEmf(lines[0] ?? '');
    expect(document._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['Environment', 'Provider'],
      ['Environment', 'Provider', 'ErrorCode'],
    ]);
    expect(document).toMatchObject({ ErrorCode: 'rate_limit', ProviderErrors: 1 });
  });

  it('reports every response-cache lookup with a 0/1 hit, so the average of hits is the ratio', () => {
    const metrics = metricsWith();
    metrics.responseCacheLookup(true);
    metrics.responseCacheLookup(false);
    const [hit, miss] = lines.map(expectValidEmf);
    expect(hit).toMatchObject({
      Provider: 'bedrock',
      ResponseCacheLookups: 1,
      ResponseCacheHits: 1,
    });
    expect(miss).toMatchObject({ ResponseCacheLookups: 1, ResponseCacheHits: 0 });
  });

  it('reports the open connections of the task, never below zero', () => {
    const metrics = metricsWith();
    metrics.connectionOpened();
    metrics.connectionOpened();
    metrics.connectionClosed();
    metrics.reportConnections();
    metrics.connectionClosed();
    metrics.connectionClosed();
    metrics.reportConnections();
    const [busy, idle] = lines.map(expectValidEmf);
    expect(busy?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Environment']]);
    expect(busy?.ActiveConnections).toBe(1);
    expect(idle?.ActiveConnections).toBe(0);
  });

  it('reports connections every minute once the application has started, until it stops', () => {
    jest.useFakeTimers();
    try {
      const metrics = metricsWith();
      metrics.onApplicationBootstrap();
      jest.advanceTimersByTime(120_000);
      expect(lines).toHaveLength(2);
      metrics.onModuleDestroy();
      jest.advanceTimersByTime(120_000);
      expect(lines).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports each dependency as ready (1) or not (0), dimensioned by environment and dependency', () => {
    const metrics = metricsWith();
    metrics.dependencyReady('vector-store', false);
    metrics.dependencyReady('redis', true);
    const [store, redis] = lines.map(expectValidEmf);
    expect(store?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Environment', 'Dependency']]);
    expect(store).toMatchObject({ Environment: 'prod', Dependency: 'vector-store' });
    expect(store?.[METRIC.dependencyReady]).toBe(0);
    expect(redis).toMatchObject({ Dependency: 'redis', [METRIC.dependencyReady]: 1 });
  });

  it('writes nothing at all when disabled', () => {
    const metrics = metricsWith({ enabled: false });
    metrics.onApplicationBootstrap();
    metrics.questionAsked();
    metrics.answered({ inputTokens: 1, outputTokens: 1 });
    metrics.providerError('unavailable');
    metrics.reportConnections();
    metrics.dependencyReady('redis', false);
    expect(lines).toEqual([]);
  });
});

describe('prices', () => {
  it('prices an inference profile as the model behind it', () => {
    expect(priceOf('eu.amazon.nova-lite-v1:0', DEFAULT_LLM_PRICES)).toEqual(
      DEFAULT_LLM_PRICES['amazon.nova-lite-v1:0'],
    );
    expect(priceOf('unknown-model', DEFAULT_LLM_PRICES)).toBeUndefined();
  });

  it('computes dollars from tokens and per-million prices', () => {
    expect(
      answerCost(
        { inputTokens: 1_000_000, outputTokens: 0 },
        { inputPerMillion: 3, outputPerMillion: 15 },
      ),
    ).toBe(3);
  });
});

describe('metrics configuration', () => {
  it('is off by default, with the built-in price table', () => {
    const { metrics } = loadConfig({}, '/srv/app');
    expect(metrics).toEqual({
      enabled: false,
      namespace: 'LoreChat',
      environment: 'local',
      prices: DEFAULT_LLM_PRICES,
    });
  });

  it('reads METRICS_* and lets LLM_PRICES add and override models', () => {
    const { metrics } = loadConfig(
      {
        METRICS_ENABLED: 'true',
        METRICS_NAMESPACE: 'LoreChat/Staging',
        METRICS_ENVIRONMENT: 'staging',
        LLM_PRICES:
          '{"gpt-4o-mini":{"inputPerMillion":0.2,"outputPerMillion":0.8},"llama3":{"inputPerMillion":0,"outputPerMillion":0}}',
      },
      '/srv/app',
    );
    expect(metrics).toMatchObject({
      enabled: true,
      namespace: 'LoreChat/Staging',
      environment: 'staging',
    });
    expect(metrics.prices['gpt-4o-mini']).toEqual({ inputPerMillion: 0.2, outputPerMillion: 0.8 });
    expect(metrics.prices.llama3).toEqual({ inputPerMillion: 0, outputPerMillion: 0 });
    expect(metrics.prices['amazon.nova-lite-v1:0']).toEqual(
      DEFAULT_LLM_PRICES['amazon.nova-lite-v1:0'],
    );
  });

  it('refuses LLM_PRICES that is not JSON or not a price table', () => {
    expect(() => loadConfig({ LLM_PRICES: 'cheap' }, '/srv/app')).toThrow(
      /LLM_PRICES must be JSON/,
    );
    expect(() => loadConfig({ LLM_PRICES: '{"gpt":{"input":1}}' }, '/srv/app')).toThrow(
      /LLM_PRICES/,
    );
    expect(() => loadConfig({ METRICS_ENABLED: 'yes' }, '/srv/app')).toThrow(/METRICS_ENABLED/);
  });
});
