/**
 * Local servers that speak the two rerank wire protocols LoreChat calls:
 *
 * - Cohere's rerank API: `POST /v2/rerank` with `{model, query, documents, top_n}` and a Bearer
 *   key, answering `{id, results: [{index, relevance_score}], meta: {billed_units: {search_units}}}`,
 *   results best first; errors as `{"message": …}` with the HTTP status.
 * - Bedrock's Rerank API (bedrock-agent-runtime): `POST /rerank` with `{queries: [{type: "TEXT",
 *   textQuery: {text}}], sources: [{type: "INLINE", inlineDocumentSource: {type: "TEXT",
 *   textDocument: {text}}}], rerankingConfiguration: {type: "BEDROCK_RERANKING_MODEL",
 *   bedrockRerankingConfiguration: {numberOfResults, modelConfiguration: {modelArn}}}}`, signed
 *   with SigV4, answering `{results: [{index, relevanceScore}]}`; errors as AWS JSON errors with
 *   the `x-amzn-errortype` header.
 *
 * Both score a document by how many of the query's words it contains, so tests can predict the
 * order a real cross-encoder would plausibly give.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { FakeHttpServer, type FakeRequest, readJson } from './fake-http-server';

export type FakeRerankBehaviour =
  { kind: 'rank' } | { kind: 'error'; status: number } | { kind: 'hang' };

export type FakeRerankRequest = FakeRequest<Record<string, unknown>>;

const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

/** Indices of `documents` by how many query words each holds, best first, ties in given order. */
export function rankByOverlap(
  query: string,
  documents: string[],
): { index: number; score: number }[] {
  const asked = words(query);
  return documents
    .map((document, index) => {
      const shared = [...words(document)].filter((word) => asked.has(word)).length;
      return { index, score: shared / Math.max(1, asked.size) };
    })
    .sort((left, right) => right.score - left.score || left.index - right.index);
}

export class FakeRerankServer extends FakeHttpServer<FakeRerankRequest, FakeRerankBehaviour> {
  constructor(readonly wire: 'cohere' | 'bedrock') {
    super({ kind: 'rank' });
  }

  static start(wire: 'cohere' | 'bedrock'): Promise<FakeRerankServer> {
    return new FakeRerankServer(wire).listen();
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readJson<Record<string, unknown>>(req)) ?? {};
    const request = { path: req.url ?? '', headers: req.headers, body };
    this.requests.push(request);
    const behaviour = this.nextBehaviour(request);
    if (behaviour.kind === 'hang') {
      this.watch(res);
      return;
    }
    if (this.wire === 'cohere') this.cohere(request, behaviour, res);
    else this.bedrock(request, behaviour, res);
  }

  private cohere(request: FakeRerankRequest, behaviour: FakeRerankBehaviour, res: ServerResponse) {
    const send = (status: number, payload: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    if (request.path !== '/v2/rerank') return send(404, { message: 'Not Found' });
    if (!/^Bearer \S+/.test(request.headers.authorization ?? '')) {
      return send(401, { message: 'no api key supplied' });
    }
    if (behaviour.kind === 'error') return send(behaviour.status, { message: 'server error' });
    const { query, documents, top_n: topN } = request.body;
    if (typeof query !== 'string' || !Array.isArray(documents)) {
      return send(400, { message: 'invalid request: query and documents are required' });
    }
    const ranked = rankByOverlap(query, documents.map(String));
    send(200, {
      id: 'rerank-1',
      results: ranked
        .slice(0, typeof topN === 'number' ? topN : ranked.length)
        .map(({ index, score }) => ({ index, relevance_score: score })),
      meta: { api_version: { version: '2' }, billed_units: { search_units: 1 } },
    });
  }

  private bedrock(request: FakeRerankRequest, behaviour: FakeRerankBehaviour, res: ServerResponse) {
    const error = (status: number, type: string, message: string) =>
      res
        .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type })
        .end(JSON.stringify({ message }));
    if (request.path !== '/rerank') return error(404, 'UnknownOperationException', 'Not Found');
    if (!/^AWS4-HMAC-SHA256 Credential=/.test(request.headers.authorization ?? '')) {
      return error(403, 'AccessDeniedException', 'Missing Authentication Token');
    }
    if (behaviour.kind === 'error') {
      return error(behaviour.status, 'InternalServerException', 'internal error');
    }
    const body = request.body as {
      queries?: { textQuery?: { text?: string } }[];
      sources?: { inlineDocumentSource?: { textDocument?: { text?: string } } }[];
      rerankingConfiguration?: {
        bedrockRerankingConfiguration?: { numberOfResults?: number };
      };
    };
    const query = body.queries?.[0]?.textQuery?.text;
    const documents = body.sources?.map(
      (source) => source.inlineDocumentSource?.textDocument?.text ?? '',
    );
    if (typeof query !== 'string' || !documents) {
      return error(400, 'ValidationException', 'queries and sources are required');
    }
    const limit = body.rerankingConfiguration?.bedrockRerankingConfiguration?.numberOfResults;
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        results: rankByOverlap(query, documents)
          .slice(0, limit ?? documents.length)
          .map(({ index, score }) => ({ index, relevanceScore: score })),
      }),
    );
  }
}
