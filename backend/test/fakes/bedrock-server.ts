// A real local HTTP server (node:http on 127.0.0.1) that speaks Bedrock's ConverseStream wire
// protocol: it answers POST /model/{modelId}/converse-stream with binary AWS event-stream frames
// (application/vnd.amazon.eventstream) encoded by the same codec the AWS SDK decodes them with.
// It is not a mock of the SDK: the real BedrockRuntimeClient signs, sends, parses and retries.
// It also answers InvokeModel for Titan Text Embeddings v2 (POST /model/{modelId}/invoke): a JSON
// body `{ inputText, dimensions, normalize }` in, `{ embedding, inputTextTokenCount }` out, with
// Titan's validation of the body and vectors derived from the text (see `fakeEmbedding`).
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { FakeHttpServer, type FakeRequest, readJson } from './fake-http-server';
import { fakeEmbedding } from './openai-server';

/**
 * How the server answers one request. Every field is optional; the default is a short answer.
 * An InvokeModel (embeddings) request heeds `httpError` only; otherwise it gets its embedding.
 */
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

export interface RecordedBedrockRequest extends FakeRequest<unknown> {
  method: string;
  /** The model id, URL-decoded from the path. */
  modelId: string;
}

const DEFAULT_SCRIPT: BedrockScript = { tokens: ['Hello', ' world'] };
const CONVERSE_STREAM_PATH = /^\/model\/([^/]+)\/converse-stream$/;
const INVOKE_PATH = /^\/model\/([^/]+)\/invoke$/;
const TITAN_V2_DIMENSIONS = [256, 512, 1024];
/** Titan's limit on `inputText`, in characters. */
const TITAN_V2_MAX_CHARACTERS = 50_000;
const codec = new EventStreamCodec(toUtf8, fromUtf8);

export class FakeBedrockServer extends FakeHttpServer<RecordedBedrockRequest, BedrockScript> {
  private constructor() {
    super(DEFAULT_SCRIPT);
  }

  static start(): Promise<FakeBedrockServer> {
    return new FakeBedrockServer().listen();
  }

  /**
   * Scripts for the next requests, one each, in order, in place of any still queued; later requests
   * get the default answer.
   */
  respondWith(...scripts: BedrockScript[]): void {
    this.setScript([...scripts, DEFAULT_SCRIPT]);
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readJson(request);
    const path = request.url ?? '';
    const invoke = INVOKE_PATH.exec(path);
    const match = CONVERSE_STREAM_PATH.exec(path) ?? invoke;
    const recorded: RecordedBedrockRequest = {
      method: request.method ?? '',
      path,
      modelId: match?.[1] ? decodeURIComponent(match[1]) : '',
      headers: request.headers,
      body,
    };
    this.requests.push(recorded);
    if (request.method !== 'POST' || !match) {
      writeHttpError(response, {
        status: 404,
        type: 'UnknownOperationException',
        message: `no route for ${request.method} ${path}`,
      });
      return;
    }
    if (invoke) {
      const { httpError } = this.nextBehaviour(recorded);
      if (httpError) writeHttpError(response, httpError);
      else invokeTitanEmbeddings(response, recorded);
      return;
    }
    await this.respond(response, this.nextBehaviour(recorded));
  }

  private async respond(response: ServerResponse, script: BedrockScript): Promise<void> {
    if (script.httpError) {
      writeHttpError(response, script.httpError);
      return;
    }
    const { clientGone, endedByServer } = this.watch(response);

    response.writeHead(200, {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': randomUUID(),
    });
    response.write(frame('event', 'messageStart', { role: 'assistant' }));

    const tokens = script.tokens ?? DEFAULT_SCRIPT.tokens ?? [];
    for (let sent = 0; sent <= tokens.length; sent += 1) {
      if (script.cutOffAfterTokens === sent) {
        endedByServer();
        // Flush what was written first, so the client gets the tokens and then the drop.
        const socket = response.socket;
        socket?.end(() => socket.destroy());
        return;
      }
      if (script.stallAfterTokens === sent) return;
      if (script.exceptionAfterTokens?.after === sent) {
        const { type, message } = script.exceptionAfterTokens;
        response.end(frame('exception', type, { message }));
        return;
      }
      const token = tokens[sent];
      if (token === undefined) break;
      if (script.tokenDelayMs) {
        try {
          await sleep(script.tokenDelayMs, undefined, { signal: clientGone });
        } catch {
          return; // the client left while we waited
        }
      }
      response.write(
        frame('event', 'contentBlockDelta', { contentBlockIndex: 0, delta: { text: token } }),
      );
    }

    const usage = script.usage ?? { inputTokens: 12, outputTokens: tokens.length };
    response.write(frame('event', 'contentBlockStop', { contentBlockIndex: 0 }));
    response.write(frame('event', 'messageStop', { stopReason: 'end_turn' }));
    response.end(
      frame('event', 'metadata', {
        usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
        metrics: { latencyMs: 42 },
      }),
    );
  }
}

/** Titan Text Embeddings v2's InvokeModel: validates the body as Titan does, then embeds. */
function invokeTitanEmbeddings(response: ServerResponse, request: RecordedBedrockRequest): void {
  const reject = (message: string) =>
    writeHttpError(response, { status: 400, type: 'ValidationException', message });
  if (!request.modelId.startsWith('amazon.titan-embed-text-v2')) {
    reject('The provided model identifier is invalid.');
    return;
  }
  const { inputText, dimensions = 1024 } = (request.body ?? {}) as {
    inputText?: unknown;
    dimensions?: unknown;
  };
  if (typeof inputText !== 'string' || inputText.length === 0) {
    reject(
      'Malformed input request: #/inputText: expected minLength: 1, please reformat your input and try again.',
    );
    return;
  }
  if (inputText.length > TITAN_V2_MAX_CHARACTERS) {
    reject(
      `Malformed input request: #/inputText: expected maxLength: ${TITAN_V2_MAX_CHARACTERS}, actual: ${inputText.length}, please reformat your input and try again.`,
    );
    return;
  }
  if (typeof dimensions !== 'number' || !TITAN_V2_DIMENSIONS.includes(dimensions)) {
    reject(
      `Malformed input request: #/dimensions: ${String(dimensions)} is not a valid enum value, please reformat your input and try again.`,
    );
    return;
  }
  // Unit length, as Titan returns with `normalize: true`, the only way LoreChat asks.
  const embedding = fakeEmbedding(inputText, dimensions);
  const inputTextTokenCount = inputText.split(/\s+/).filter(Boolean).length;
  response.writeHead(200, {
    'content-type': 'application/json',
    'x-amzn-requestid': randomUUID(),
    'x-amzn-bedrock-input-token-count': String(inputTextTokenCount),
  });
  response.end(JSON.stringify({ embedding, inputTextTokenCount }));
}

/** In-band exceptions are typed by their stream member name, e.g. `throttlingException`. */
function frame(messageType: 'event' | 'exception', type: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      [`:${messageType}-type`]: { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: messageType },
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
