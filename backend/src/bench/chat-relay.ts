/**
 * The floor of the chat stack for `npm run bench:chat -- --relay`: a Socket.IO server that only
 * relays the model's stream to the visitor who asked. It speaks the widget's protocol (`ask` with
 * its ack, then `token`…, `sources` and `done`), posts each question to the bench provider as the
 * backend's openai provider does (node:http with keep-alive, the same server-sent-event parser),
 * and emits each token as it is parsed. Nothing else: no visitor check (any token is accepted, and
 * POST /v1/visitor-token hands out a placeholder so the bench's visitors connect as they do to
 * LoreChat), no retrieval, no conversation memory, no quotas, no guard, no recovery buffer, no log.
 * Whatever LoreChat spends per token beyond this server's is the price of its features.
 *
 * Run as a child of the bench: `node chat-relay.js`, with PORT and LLM_BASE_URL in its environment.
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server } from 'socket.io';
import { SseParser } from '../llm/sse';
import {
  type AckResponse,
  type AskAccepted,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type Usage,
} from '@lorechat/contracts';

interface CompletionChunk {
  choices?: { delta?: { content?: string | null } }[];
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
}

const port = Number(process.env.PORT);
const endpoint = new URL(`${process.env.LLM_BASE_URL ?? ''}/chat/completions`);
const agent = new Agent({ keepAlive: true });

function answerHttp(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  const json = (status: number, body: object) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (request.method === 'POST' && request.url === '/v1/visitor-token') {
    json(200, { token: 'relay' });
  } else if (request.url === '/health') {
    json(200, { status: 'ok' });
  } else {
    json(404, { error: 'not found' });
  }
}

const http = createServer(answerHttp);
const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, {
  cors: { origin: true, credentials: false },
});

io.on('connection', (socket) => {
  const inFlight = new Set<() => void>();
  socket.on('disconnect', () => inFlight.forEach((stop) => stop()));
  socket.on('ask', (payload, ack?: (response: AckResponse<AskAccepted>) => void) => {
    const messageId = randomUUID();
    ack?.({ ok: true, conversationId: randomUUID(), messageId });
    const body = JSON.stringify({
      model: 'relay',
      messages: [{ role: 'user', content: payload.text }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: Usage = { inputTokens: 0, outputTokens: 0 };
    const outgoing = request(endpoint, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const stop = () => outgoing.destroy();
    inFlight.add(stop);
    const fail = (message: string) => {
      inFlight.delete(stop);
      socket.emit('error', { messageId, code: 'provider_unavailable', message });
    };
    outgoing.on('error', (error) => fail(error.message));
    outgoing.on('response', (response) => {
      const parser = new SseParser();
      response.setEncoding('utf8');
      response.on('data', (text: string) => {
        for (const event of parser.push(text)) {
          if (event.data === '[DONE]') continue;
          const chunk = JSON.parse(event.data) as CompletionChunk;
          const token = chunk.choices?.[0]?.delta?.content;
          if (token) socket.emit('token', { messageId, text: token });
          if (chunk.usage) {
            usage = {
              inputTokens: chunk.usage.prompt_tokens,
              outputTokens: chunk.usage.completion_tokens,
            };
          }
        }
      });
      response.on('end', () => {
        inFlight.delete(stop);
        socket.emit('sources', { messageId, sources: [] });
        socket.emit('done', { messageId, usage, cancelled: false, outcome: 'answered' });
      });
    });
    outgoing.end(body);
  });
});

http.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  void io.close();
  process.exit(0);
});
