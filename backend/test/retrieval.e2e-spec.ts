/**
 * Retrieval through the started application: the right passage first for a paraphrased question,
 * on the embedded store and on the Qdrant store (a local HTTP server following Qdrant's REST API,
 * test/fakes/qdrant-server.ts), and hybrid retrieval with OpenAI embeddings (a local HTTP server
 * speaking OpenAI's embeddings wire format, test/fakes/openai-server.ts).
 */
import { join } from 'node:path';
import { type FakeOpenAi, startFakeOpenAi } from './fakes/openai-server';
import { type FakeQdrant, startFakeQdrant } from './fakes/qdrant-server';
import { ChatClient, type RunningApp, startApp } from './support/app';

const SITE = join(__dirname, 'fixtures', 'site');

async function firstSource(running: RunningApp, question: string): Promise<string | undefined> {
  const client = await ChatClient.connect(running.url);
  const answer = await client.askAndWait({ text: question });
  client.close();
  return answer.sources?.[0]?.url;
}

describe('retrieval through the chat', () => {
  it('finds the passage for a paraphrased question on the embedded store', async () => {
    const running = await startApp({ LORECHAT_DOCS_DIR: SITE });
    try {
      expect(await firstSource(running, 'Which languages has the chat been translated to?')).toBe(
        'http://lorechat.test/docs/languages.md#translations-of-the-chat-window',
      );
      expect(await firstSource(running, 'how long until a refund is paid')).toBe(
        'http://lorechat.test/docs/billing.md#refunds',
      );
    } finally {
      await running.stop();
    }
  });

  describe('on Qdrant with OpenAI embeddings', () => {
    let qdrant: FakeQdrant;
    let openAi: FakeOpenAi;
    let running: RunningApp;

    beforeAll(async () => {
      qdrant = await startFakeQdrant();
      openAi = await startFakeOpenAi();
      running = await startApp({
        LORECHAT_DOCS_DIR: SITE,
        VECTOR_STORE: 'qdrant',
        QDRANT_URL: qdrant.url,
        QDRANT_API_KEY: 'qdrant-secret',
        EMBEDDING_PROVIDER: 'openai',
        EMBEDDING_BASE_URL: openAi.baseUrl,
        EMBEDDING_DIMENSIONS: '8',
        OPENAI_API_KEY: 'sk-embeddings-test',
      });
    });
    afterAll(async () => {
      await running.stop();
      await openAi.close();
      await qdrant.close();
    });

    it('seeds the collection with dense and keyword vectors and answers from it', async () => {
      const health = (await (await fetch(`${running.url}/health`)).json()) as {
        dependencies: { index: { documents: number } };
      };
      expect(health.dependencies.index.documents).toBe(3);
      // One vector per chunk: the four sections of the three pages.
      const embedded = openAi.embeddingRequests.flatMap((request) => [request.body.input].flat());
      expect(embedded).toHaveLength(4);
      expect(await firstSource(running, 'how long until a refund is paid')).toBe(
        'http://lorechat.test/docs/billing.md#refunds',
      );
      // The question itself was embedded for the dense side of the search.
      expect(openAi.embeddingRequests.at(-1)?.body.input).toEqual([
        'how long until a refund is paid',
      ]);
    });
  });
});
