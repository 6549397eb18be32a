/**
 * A Qdrant node lost in the middle of a conversation. The two nodes are local HTTP servers that
 * follow Qdrant's REST API (test/fakes/qdrant-server.ts; no Qdrant can run here) sharing one
 * storage, as two nodes of a cluster holding replicas of the collection would: stopping one leaves
 * the data on the other.
 */
import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { type FakeQdrant, startFakeQdrant, startFakeQdrantCluster } from './fakes/qdrant-server';
import { ChatClient, type RunningApp, startApp } from './support/app';

const SITE = join(__dirname, 'fixtures', 'site');

interface Health {
  status: string;
  dependencies: { index: { status: string; documents?: number; detail?: string } };
}

async function health(running: RunningApp): Promise<{ code: number; body: Health }> {
  const response = await fetch(`${running.url}/health`);
  return { code: response.status, body: (await response.json()) as Health };
}

describe('a Qdrant node lost mid-conversation', () => {
  let nodes: FakeQdrant[];
  let running: RunningApp;
  let warn: jest.SpyInstance;

  beforeEach(async () => {
    nodes = await startFakeQdrantCluster(2);
    running = await startApp({
      LORECHAT_DOCS_DIR: SITE,
      VECTOR_STORE: 'qdrant',
      QDRANT_URL: nodes.map((node) => node.url).join(','),
      QDRANT_REPLICATION_FACTOR: '2',
      QDRANT_TIMEOUT_MS: '500',
    });
    warn = jest.spyOn(Logger.prototype, 'warn');
  });
  afterEach(async () => {
    warn.mockRestore();
    await running.stop();
    await Promise.all(nodes.map((node) => node.close().catch(() => undefined)));
  });

  it('answers the next turn from the other node and reports the chat as degraded', async () => {
    const client = await ChatClient.connect(running.url);
    try {
      const first = await client.askAndWait({ text: 'how long until a refund is paid' });
      expect(first.sources?.[0]?.url).toBe('http://lorechat.test/docs/billing.md#refunds');
      expect((await health(running)).body.status).toBe('ok');

      await nodes[0]!.close();
      const second = await client.askAndWait({
        conversationId: first.accepted.conversationId,
        text: 'Which languages has the chat been translated to?',
      });
      expect(second.error).toBeUndefined();
      expect(second.sources?.[0]?.url).toBe(
        'http://lorechat.test/docs/languages.md#translations-of-the-chat-window',
      );
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining(`Qdrant node ${nodes[0]!.url} is unreachable`),
      );

      // Still serving, on fewer replicas: 200 so the load balancer keeps every task.
      const degraded = await health(running);
      expect(degraded.code).toBe(200);
      expect(degraded.body.status).toBe('degraded');
      expect(degraded.body.dependencies.index).toMatchObject({
        status: 'degraded',
        documents: 3,
        detail: expect.stringMatching(
          new RegExp(`^Qdrant node ${nodes[0]!.url} unreachable since .*; 1 of 2 nodes answer$`),
        ),
      });

      // The node comes back at its address: the next health check sees it ready.
      nodes[0] = await startFakeQdrant({ storage: nodes[1]!.storage, port: nodes[0]!.port });
      expect((await health(running)).body.status).toBe('ok');
    } finally {
      client.close();
    }
  });

  it('reports the index down when no node answers', async () => {
    await Promise.all(nodes.map((node) => node.close()));
    const down = await health(running);
    expect(down.code).toBe(503);
    expect(down.body.dependencies.index.status).toBe('down');
    expect(down.body.dependencies.index.detail).toMatch(/no node answered/);
  });
});
