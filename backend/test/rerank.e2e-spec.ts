/**
 * RERANK_PROVIDER=cohere in the started application, against a local server speaking Cohere's
 * rerank API (test/fakes/rerank-server.ts), with a real socket.io-client.
 */
import { FakeRerankServer } from './fakes/rerank-server';
import { ChatClient, type RunningApp, startApp } from './support/app';

describe('reranking the fused candidates', () => {
  let reranker: FakeRerankServer;
  let running: RunningApp;

  beforeAll(async () => {
    reranker = await FakeRerankServer.start('cohere');
    running = await startApp({
      RERANK_PROVIDER: 'cohere',
      COHERE_API_KEY: 'co-e2e-key',
      RERANK_BASE_URL: reranker.url,
      RERANK_TIMEOUT_MS: '300',
      RESPONSE_CACHE_ENABLED: 'false',
    });
  });
  afterAll(async () => {
    await running.stop();
    await reranker.close();
  });

  it('sends the candidates to the reranker and answers from its order', async () => {
    const client = await ChatClient.connect(running.url);
    const before = reranker.requests.length;
    const answer = await client.askAndWait({ text: 'How does LoreChat deploy to production?' });
    client.close();
    expect(reranker.requests.length).toBe(before + 1);
    const sent = reranker.requests.at(-1)?.body as { query: string; documents: string[] };
    expect(sent.query).toBe('How does LoreChat deploy to production?');
    expect(sent.documents.length).toBeGreaterThan(1);
    expect(answer.sources?.[0]?.url).toBe(
      'http://lorechat.test/docs/deployment.md#deploy-to-production',
    );
    expect(answer.done?.outcome).toBe('answered');
  });

  it('still answers, in the fused order, when the reranker is down', async () => {
    reranker.setScript({ kind: 'error', status: 503 });
    const client = await ChatClient.connect(running.url);
    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
    client.close();
    reranker.setScript({ kind: 'rank' });
    expect(answer.error).toBeUndefined();
    expect(answer.text).toContain('pulumi up -s prod');
  });
});
