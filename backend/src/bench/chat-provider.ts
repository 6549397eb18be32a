/**
 * The model of `npm run bench:chat`: a local OpenAI-compatible server that streams every answer at
 * a fixed rate, speaking Chat Completions' real wire format (server-sent `chat.completion.chunk`
 * events, the usage chunk when `stream_options.include_usage` asks for it, then `data: [DONE]`),
 * so the backend's real `openai` client parses it exactly as it parses api.openai.com.
 *
 * Each answer has the number of tokens the question's `[bench ID/TOKENS]` tag asks for. Each
 * token's text stamps the conversation (the tag's ID), the
 * token's sequence number and the instant it was written to the socket; the first token also
 * carries the instant the request arrived. The clients can then count lost and duplicated tokens
 * exactly, and measure each token's delay from its real send time: the provider's own lateness
 * (a timer firing late) is never charged to the backend.
 *
 * One timer drives every stream: a heap orders the streams by their next token's due time, and
 * the timer fires at the earliest one and sends every token then due.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { formatToken, parseBenchTag, wallNow } from './chat-stats';

export interface FixedRateOptions {
  /** Tokens per second per answer. */
  rate: number;
  /** The provider's own time to first token, from the request's arrival, in ms. */
  firstTokenMs: number;
}

interface Stream {
  response: ServerResponse;
  conversation: number;
  /** Tokens this answer has, from the question's tag. */
  tokens: number;
  receivedAt: number;
  /** Next token to send. */
  seq: number;
  /** When it is due, provider clock. */
  due: number;
  /** `data: {…"delta":{"content":` : the part of every content chunk before its text. */
  head: string;
  /** The part after it. */
  tail: string;
  id: string;
  model: string;
  created: number;
  includeUsage: boolean;
  promptTokens: number;
  closed: boolean;
}

const CHAT_PATHS = new Set(['/v1/chat/completions', '/chat/completions']);

/** A binary min-heap of streams by due time. */
class DueHeap {
  private readonly items: Stream[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Stream | undefined {
    return this.items[0];
  }

  push(stream: Stream): void {
    const items = this.items;
    items.push(stream);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent]!.due <= stream.due) break;
      items[index] = items[parent]!;
      index = parent;
    }
    items[index] = stream;
  }

  pop(): Stream | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]!.due < items[left]!.due ? right : left;
      if (items[child]!.due >= last.due) break;
      items[index] = items[child]!;
      index = child;
    }
    items[index] = last;
    return top;
  }
}

export class FixedRateProvider {
  /** Chat requests received. */
  requests = 0;
  /** Requests refused (not a streaming chat request, or no `[bench ID/TOKENS]` tag). */
  refused = 0;
  /** Answers whose client (the backend) went away before the last token. */
  abandoned = 0;
  /** Answers streamed to the end. */
  completed = 0;
  /** Per token sent: how late it was written against its due time, ms (the provider's own lag). */
  readonly lateness: number[] = [];
  private readonly heap = new DueHeap();
  private readonly server: Server;
  private timer: NodeJS.Timeout | undefined;
  /** The due time the timer is set for. */
  private timerDue = 0;
  private readonly intervalMs: number;

  constructor(private readonly options: FixedRateOptions) {
    this.intervalMs = 1000 / options.rate;
    this.server = createServer({ noDelay: true, keepAliveTimeout: 60_000 }, (request, response) => {
      this.handle(request, response);
    });
  }

  /** Listens on 127.0.0.1; resolves with the base URL to give the backend (`…/v1`). */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const receivedAt = wallNow();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = parseBody(Buffer.concat(chunks).toString('utf8'));
      const tag = body && parseBenchTag(lastUserText(body));
      if (
        request.method !== 'POST' ||
        !CHAT_PATHS.has(request.url ?? '') ||
        !body ||
        body.stream !== true ||
        !tag ||
        tag.tokens < 1
      ) {
        this.refused += 1;
        response.writeHead(400, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: {
              message: 'The bench provider only streams chat completions tagged [bench ID/TOKENS].',
              type: 'invalid_request_error',
              param: null,
              code: null,
            },
          }),
        );
        return;
      }
      this.requests += 1;
      this.start(response, tag, receivedAt, body);
    });
  }

  private start(
    response: ServerResponse,
    { conversation, tokens }: { conversation: number; tokens: number },
    receivedAt: number,
    body: ChatRequest,
  ): void {
    const id = `chatcmpl-bench${this.requests}`;
    const model = typeof body.model === 'string' ? body.model : 'bench';
    const created = Math.floor(Date.now() / 1000);
    const includeUsage = body.stream_options?.include_usage === true;
    const usageField = includeUsage ? ',"usage":null' : '';
    const prefix = `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"fp_bench","choices":[{"index":0,"delta":`;
    const stream: Stream = {
      response,
      conversation,
      tokens,
      receivedAt,
      seq: 0,
      due: receivedAt + this.options.firstTokenMs,
      head: `${prefix}{"content":`,
      tail: `},"logprobs":null,"finish_reason":null}]${usageField}}\n\n`,
      id,
      model,
      created,
      includeUsage,
      promptTokens: Math.ceil(JSON.stringify(body.messages ?? []).length / 4),
      closed: false,
    };
    response.on('close', () => {
      if (!response.writableFinished) {
        stream.closed = true;
        this.abandoned += 1;
      }
    });
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_${id}`,
    });
    // OpenAI opens every answer with the role, before any content.
    response.write(
      `${prefix}{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]${usageField}}\n\n`,
    );
    this.heap.push(stream);
    this.arm();
  }

  /** Sets the one timer for the earliest due token, unless it is already set. */
  private arm(): void {
    const next = this.heap.peek();
    if (!next) return;
    if (this.timer) {
      if (this.timerDue <= next.due) return;
      clearTimeout(this.timer);
    }
    this.timerDue = next.due;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next.due - wallNow()));
  }

  private tick(): void {
    this.timer = undefined;
    for (;;) {
      const stream = this.heap.peek();
      if (!stream) return;
      const now = wallNow();
      // Timers fire on whole milliseconds: a token due within the next half is sent now.
      if (stream.due > now + 0.5) break;
      this.heap.pop();
      if (stream.closed) continue;
      this.send(stream, now);
      if (stream.seq < stream.tokens) {
        stream.due += this.intervalMs;
        this.heap.push(stream);
      }
    }
    this.arm();
  }

  private send(stream: Stream, now: number): void {
    const seq = stream.seq;
    const sentAt = wallNow();
    this.lateness.push(Math.max(0, now - stream.due));
    const text = formatToken({
      conversation: stream.conversation,
      seq,
      sentAt,
      requestReceivedAt: seq === 0 ? stream.receivedAt : undefined,
    });
    // The token text is plain ASCII digits and punctuation plus ⟨⟩: JSON needs no escaping.
    let out = `${stream.head}"${text}"${stream.tail}`;
    stream.seq += 1;
    if (stream.seq === stream.tokens) {
      // The finish and usage chunks follow the last token at once, as OpenAI's do.
      out += this.finish(stream);
      stream.response.end(out);
      this.completed += 1;
      return;
    }
    stream.response.write(out);
  }

  private finish(stream: Stream): string {
    const base = `{"id":"${stream.id}","object":"chat.completion.chunk","created":${stream.created},"model":${JSON.stringify(stream.model)},"system_fingerprint":"fp_bench",`;
    let out = `data: ${base}"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]${stream.includeUsage ? ',"usage":null' : ''}}\n\n`;
    if (stream.includeUsage) {
      const completion = stream.tokens;
      out += `data: ${base}"choices":[],"usage":{"prompt_tokens":${stream.promptTokens},"completion_tokens":${completion},"total_tokens":${stream.promptTokens + completion}}}\n\n`;
    }
    return `${out}data: [DONE]\n\n`;
  }
}

interface ChatRequest {
  model?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
  messages?: { role?: unknown; content?: unknown }[];
}

function parseBody(text: string): ChatRequest | undefined {
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === 'object' && body !== null ? body : undefined;
  } catch {
    return undefined;
  }
}

/** The last user message's text: the visitor's question is in it. */
function lastUserText(body: ChatRequest): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message?.role === 'user' && typeof message.content === 'string') return message.content;
  }
  return '';
}
