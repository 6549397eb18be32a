// A real local HTTP server (node:http on 127.0.0.1) that speaks Bedrock's ConverseStream wire
// protocol: it answers POST /model/{modelId}/converse-stream with binary AWS event-stream frames
// (application/vnd.amazon.eventstream) encoded by the same codec the AWS SDK decodes them with.
// It is not a mock of the SDK: the real BedrockRuntimeClient signs, sends, parses and retries.
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/** How the server answers one request. Every field is optional; the default is a short answer. */
export interface BedrockScript {
  /** Text deltas, in order. */
  tokens?: string[];
  /** Pause before each token. */
  tokenDelayMs?: number;
  /** Answer with this HTTP error instead of a stream, as Bedrock does before streaming starts. */
  httpError?: { status: number; type: string; message: string };
  /** Send an in-band exception frame after this many tokens, then end the response. */
  exceptionAfterTokens?: { after: number; type: string; message: string };
  /** Destroy the socket after this many tokens, mid-response. */
  cutOffAfterTokens?: number;
  /** Stop writing after this many tokens and keep the connection open until the client leaves. */
  stallAfterTokens?: number;
  usage?: { inputTokens: number; outputTokens: number };
}

export interface RecordedBedrockRequest {
  method: string;
  path: string;
  /** The model id, URL-decoded from the path. */
  modelId: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

const DEFAULT_SCRIPT: BedrockScript = { tokens: ['Hello', ' world'] };
const CONVERSE_STREAM_PATH = /^\/model\/([^/]+)\/converse-stream$/;
const codec = new EventStreamCodec(toUtf8, fromUtf8);

export class FakeBedrockServer {
  readonly requests: RecordedBedrockRequest[] = [];
  /** Responses the client closed before the server finished writing them. */
  abortedRequests = 0;

  private readonly scripts: BedrockScript[] = [];
  private abortWaiters: { count: number; resolve: () => void }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeBedrockServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeBedrockServer(server, `http://127.0.0.1:${port}`);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        const match = CONVERSE_STREAM_PATH.exec(path);
        const text = Buffer.concat(chunks).toString('utf8');
        fake.requests.push({
          method: request.method ?? '',
          path,
          modelId: match?.[1] ? decodeURIComponent(match[1]) : '',
          headers: request.headers,
          body: text === '' ? undefined : JSON.parse(text),
        });
        if (request.method !== 'POST' || !match) {
          writeHttpError(response, {
            status: 404,
            type: 'UnknownOperationException',
            message: `no route for ${request.method} ${path}`,
          });
          return;
        }
        void fake.respond(response, fake.scripts.shift() ?? DEFAULT_SCRIPT);
      });
    });
    return fake;
  }

  /** Scripts for the next requests, one each, in order; later requests get the default answer. */
  respondWith(...scripts: BedrockScript[]): void {
    this.scripts.push(...scripts);
  }

  /** Resolves once the client has closed `count` responses before they were finished. */
  waitForAbort(count = 1): Promise<void> {
    return new Promise((resolve) => {
      if (this.abortedRequests >= count) resolve();
      else this.abortWaiters.push({ count, resolve });
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private recordAbort(): void {
    this.abortedRequests += 1;
    const satisfied = this.abortWaiters.filter(({ count }) => this.abortedRequests >= count);
    this.abortWaiters = this.abortWaiters.filter((waiter) => !satisfied.includes(waiter));
    for (const { resolve } of satisfied) resolve();
  }

  private async respond(response: ServerResponse, script: BedrockScript): Promise<void> {
    if (script.httpError) {
      writeHttpError(response, script.httpError);
      return;
    }
    let cutOffByServer = false;
    const clientGone = new AbortController();
    response.on('close', () => {
      if (response.writableEnded || cutOffByServer) return;
      clientGone.abort();
      this.recordAbort();
    });

    response.writeHead(200, {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': randomUUID(),
    });
    response.write(eventFrame('messageStart', { role: 'assistant' }));

    const tokens = script.tokens ?? DEFAULT_SCRIPT.tokens ?? [];
    for (let sent = 0; sent <= tokens.length; sent += 1) {
      if (script.cutOffAfterTokens === sent) {
        cutOffByServer = true;
        // Flush what was written first, so the client gets the tokens and then the drop.
        const socket = response.socket;
        socket?.end(() => socket.destroy());
        return;
      }
      if (script.stallAfterTokens === sent) return;
      if (script.exceptionAfterTokens?.after === sent) {
        const { type, message } = script.exceptionAfterTokens;
        response.end(exceptionFrame(type, { message }));
        return;
      }
      const token = tokens[sent];
      if (token === undefined) break;
      if (script.tokenDelayMs) {
        try {
          await sleep(script.tokenDelayMs, undefined, { signal: clientGone.signal });
        } catch {
          return; // the client left while we waited
        }
      }
      response.write(
        eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: token } }),
      );
    }

    const usage = script.usage ?? { inputTokens: 12, outputTokens: tokens.length };
    response.write(eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
    response.write(eventFrame('messageStop', { stopReason: 'end_turn' }));
    response.end(
      eventFrame('metadata', {
        usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
        metrics: { latencyMs: 42 },
      }),
    );
  }
}

function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** In-band exceptions are typed by their stream member name, e.g. `throttlingException`. */
function exceptionFrame(exceptionType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** Bedrock's REST-JSON error shape: the type in `x-amzn-errortype`, the text in `message`. */
function writeHttpError(
  response: ServerResponse,
  { status, type, message }: { status: number; type: string; message: string },
): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    'x-amzn-requestid': randomUUID(),
  });
  response.end(JSON.stringify({ message }));
}
