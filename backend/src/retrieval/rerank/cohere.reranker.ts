import { type RerankResult, Reranker, RerankError } from './reranker';

export interface CohereRerankSettings {
  apiKey: string;
  model: string;
  /** `https://api.cohere.com`, or a proxy or a local test server. */
  baseUrl: string;
}

interface CohereRerankResponse {
  results?: { index?: unknown; relevance_score?: unknown }[];
  meta?: { billed_units?: { search_units?: unknown } };
}

/**
 * Cohere's rerank API (`POST /v2/rerank`), spoken over fetch: one small JSON request per question,
 * which needs no SDK. The key travels in the `Authorization: Bearer` header and never in a log line.
 */
export class CohereReranker extends Reranker {
  constructor(private readonly settings: CohereRerankSettings) {
    super();
  }

  describe() {
    return { provider: 'cohere', model: this.settings.model };
  }

  async rerank(
    query: string,
    documents: string[],
    topN: number,
    signal: AbortSignal,
  ): Promise<RerankResult> {
    const response = await fetch(`${this.settings.baseUrl.replace(/\/+$/, '')}/v2/rerank`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${this.settings.apiKey}`,
      },
      body: JSON.stringify({ model: this.settings.model, query, documents, top_n: topN }),
      signal,
    });
    if (!response.ok) {
      // The body may echo the request; only the status is reported.
      throw new RerankError(`cohere rerank: API returned ${response.status}`, response.status);
    }
    const body = (await response.json()) as CohereRerankResponse;
    const items = (body.results ?? []).flatMap(({ index, relevance_score: score }) =>
      typeof index === 'number' &&
      typeof score === 'number' &&
      index >= 0 &&
      index < documents.length
        ? [{ index, score }]
        : [],
    );
    const units = body.meta?.billed_units?.search_units;
    return {
      items: items.slice(0, topN),
      billedUnits: typeof units === 'number' ? units : 1,
    };
  }
}
