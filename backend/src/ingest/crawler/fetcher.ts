import { backoffCeilingMs, retryAfterMs } from '../../common/retry-timing';
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { type HostPoliteness } from './host-politeness';
import { type SkipReason } from './skip-reason';
import { assertPublicLiteral, guardedLookup, PrivateNetworkError } from './ssrf-guard';
import { normalizeUrl } from '../../common/url-normalizer';

function packageVersion(): string {
  // backend/package.json is three levels up from both src/ingest/crawler and dist/ingest/crawler.
  const file = join(__dirname, '..', '..', '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Honest: names the crawler and where site owners can read about it. */
export const USER_AGENT = `LoreChat/${packageVersion()} (+https://github.com/lorechat)`;
/** The token robots.txt groups are matched against. */
export const ROBOTS_AGENT = 'LoreChat';

export interface FetcherOptions {
  /** Whole-request deadline: connecting, headers and body. */
  timeoutMs: number;
  /** Bodies larger than this (after decompression) are abandoned. */
  maxBytes: number;
  maxRedirects: number;
  /** Extra attempts after a 429 or 5xx. */
  retries: number;
  /** First retry waits this long, doubling after; a Retry-After header overrides it. */
  retryBaseMs: number;
  /** Longest Retry-After honoured; a server asking for more is reported, not waited for. */
  maxRetryAfterMs: number;
  allowPrivateNetwork: boolean;
  politeness: HostPoliteness;
  /**
   * Whether a URL belongs to the crawl at all (its sites: host and port). Asked before every
   * request, whoever asks for it (pages, robots.txt, sitemaps, the renderer's scripts) and at every
   * redirect hop, so nothing reaches another host because one path forgot to check.
   */
  inScope: (url: string) => boolean;
}

export interface ConditionalHeaders {
  etag?: string;
  lastModified?: string;
}

export interface FetchRequest {
  url: string;
  conditional?: ConditionalHeaders;
  /** Asked before following each redirect; false stops with 'redirect out of scope'. */
  followRedirect?: (url: string) => boolean;
}

export type FetchResult =
  | { kind: 'ok'; url: string; status: number; headers: IncomingHttpHeaders; body: Buffer }
  | { kind: 'not-modified'; url: string; headers: IncomingHttpHeaders }
  | { kind: 'failed'; url: string; reason: SkipReason; detail: string; status?: number };

class FetchFailure extends Error {
  constructor(
    readonly reason: SkipReason,
    message: string,
  ) {
    super(message);
  }
}

const RETRIED_STATUSES = new Set([429, 500, 502, 503, 504]);
const ACCEPT =
  'text/html,application/xhtml+xml,text/markdown,text/plain;q=0.9,application/pdf;q=0.8,*/*;q=0.1';

/**
 * HTTP GET with everything a polite, safe crawler needs: per-host spacing, a deadline, a size cap,
 * redirects followed one hop at a time (each checked for scope and private addresses), retries
 * with backoff for 429 and 5xx, and conditional requests. Connections are kept alive and pinned to
 * the address the SSRF guard approved.
 */
export class Fetcher {
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly lookup: ReturnType<typeof guardedLookup>;

  constructor(private readonly options: FetcherOptions) {
    this.agents = {
      http: new http.Agent({ keepAlive: true }),
      https: new https.Agent({ keepAlive: true }),
    };
    this.lookup = guardedLookup(options.allowPrivateNetwork);
  }

  async fetch(request: FetchRequest): Promise<FetchResult> {
    let url = request.url;
    if (!this.options.inScope(url)) return this.failed(url, 'other site', 'not on a crawled site');
    const visited = new Set<string>();
    for (let hop = 0; ; hop += 1) {
      visited.add(url);
      const response = await this.fetchWithRetries(url, hop === 0 ? request.conditional : {});
      if (response.kind !== 'redirect') return response;
      const next = normalizeUrl(response.location, url);
      if (next === undefined) {
        return this.failed(url, 'http status', `redirect to an invalid URL`, response.status);
      }
      if (visited.has(next)) {
        return this.failed(url, 'http status', `redirect loop via ${next}`, response.status);
      }
      if (hop >= this.options.maxRedirects) {
        return this.failed(url, 'http status', `more than ${this.options.maxRedirects} redirects`);
      }
      if (
        !this.options.inScope(next) ||
        (request.followRedirect && !request.followRedirect(next))
      ) {
        return this.failed(url, 'redirect out of scope', `redirects to ${next}`, response.status);
      }
      url = next;
    }
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private failed(url: string, reason: SkipReason, detail: string, status?: number): FetchResult {
    return { kind: 'failed', url, reason, detail, status };
  }

  private async fetchWithRetries(
    url: string,
    conditional: ConditionalHeaders = {},
  ): Promise<FetchResult | { kind: 'redirect'; location: string; status: number }> {
    for (let attempt = 0; ; attempt += 1) {
      let response: RawResponse;
      try {
        await this.options.politeness.wait(new URL(url).host);
        response = await this.request(url, conditional);
      } catch (error) {
        if (error instanceof FetchFailure) return this.failed(url, error.reason, error.message);
        if (error instanceof PrivateNetworkError) {
          return this.failed(url, 'private network', error.message);
        }
        return this.failed(url, 'http status', `network error: ${(error as Error).message}`);
      }
      const { status, headers } = response;
      if (status >= 300 && status < 400 && status !== 304 && headers.location) {
        return { kind: 'redirect', location: headers.location, status };
      }
      if (status === 304) return { kind: 'not-modified', url, headers };
      if (status >= 200 && status < 300) {
        return { kind: 'ok', url, status, headers, body: response.body };
      }
      if (!RETRIED_STATUSES.has(status) || attempt >= this.options.retries) {
        return this.failed(url, 'http status', `HTTP ${status}`, status);
      }
      const wait =
        retryAfterMs(headers['retry-after']) ??
        backoffCeilingMs(this.options.retryBaseMs, attempt + 1);
      if (wait > this.options.maxRetryAfterMs) {
        return this.failed(url, 'http status', `HTTP ${status}, retry after ${wait} ms`, status);
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private request(url: string, conditional: ConditionalHeaders): Promise<RawResponse> {
    const target = new URL(url);
    assertPublicLiteral(target.hostname, this.options.allowPrivateNetwork);
    const secure = target.protocol === 'https:';
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      accept: ACCEPT,
      'accept-encoding': 'gzip, deflate, br',
    };
    if (conditional.etag) headers['if-none-match'] = conditional.etag;
    if (conditional.lastModified) headers['if-modified-since'] = conditional.lastModified;
    return new Promise<RawResponse>((resolve, reject) => {
      const client = secure ? https : http;
      const request = client.request(
        target,
        {
          method: 'GET',
          headers,
          agent: secure ? this.agents.https : this.agents.http,
          lookup: this.lookup,
        },
        (response) => {
          readBody(response, this.options.maxBytes).then(
            (body) =>
              resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
            (error: unknown) => {
              request.destroy();
              reject(error instanceof Error ? error : new Error(String(error)));
            },
          );
        },
      );
      const deadline = setTimeout(() => {
        // Rejected before destroying, so the timeout, not the abort it causes, is reported.
        reject(
          new FetchFailure('timeout', `no complete answer within ${this.options.timeoutMs} ms`),
        );
        request.destroy();
      }, this.options.timeoutMs);
      request.on('close', () => clearTimeout(deadline));
      request.on('error', reject);
      request.end();
    });
  }
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Reads the decompressed body, giving up as soon as it exceeds `maxBytes`. */
function readBody(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const status = response.statusCode ?? 0;
  // Redirects, 304s and errors: the body is never used, so it is not read.
  if (status < 200 || status >= 300) {
    response.resume();
    return Promise.resolve(Buffer.alloc(0));
  }
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(
      new FetchFailure('too large', `declared ${declared} bytes, the limit is ${maxBytes}`),
    );
  }
  const stream = decoded(response);
  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    stream.on('data', (part: Buffer) => {
      size += part.length;
      if (size > maxBytes) {
        stream.destroy();
        reject(new FetchFailure('too large', `more than ${maxBytes} bytes`));
        return;
      }
      parts.push(part);
    });
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', (error) => reject(error));
    response.on('error', (error) => reject(error));
  });
}

function decoded(response: IncomingMessage): Readable {
  switch (response.headers['content-encoding']?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return response.pipe(createGunzip());
    case 'deflate':
      return response.pipe(createInflate());
    case 'br':
      return response.pipe(createBrotliDecompress());
    default:
      return response;
  }
}
