/**
 * A local stand-in for Amazon SES API v2, speaking its real HTTP wire protocol: the SDK's
 * SendEmail is `POST /v2/email/outbound-emails` with a JSON body, signed with AWS Signature
 * Version 4. The fake checks that signature with the secret key the test gave the client, as SES
 * would, and answers `{ MessageId }`, or an error the way SES sends one (status, the
 * `x-amzn-ErrorType` header and a JSON `message`).
 */
import { createHash, createHmac } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { FakeHttpServer, type FakeRequest, parseJson, readBody } from './fake-http-server';

export interface SesCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The part of SendEmail's request body the tests read. */
export interface SesSendEmailBody {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[] };
  ReplyToAddresses?: string[];
  Content?: {
    Simple?: {
      Subject?: { Data?: string };
      Body?: { Text?: { Data?: string } };
      Headers?: { Name: string; Value: string }[];
    };
  };
}

export interface SesRequest extends FakeRequest<SesSendEmailBody | undefined> {
  method: string;
  /** Whether SES took the e-mail. */
  accepted?: boolean;
  /** Why the signature was refused, or undefined when it checked out. */
  signatureProblem?: string;
}

/** `ok` answers 200 with a MessageId; otherwise an SES error of that status and type. */
export type SesBehaviour = { kind: 'ok' } | { kind: 'error'; status: number; type: string };

export const SES_THROTTLED: SesBehaviour = {
  kind: 'error',
  status: 429,
  type: 'TooManyRequestsException',
};
export const SES_UNAVAILABLE: SesBehaviour = {
  kind: 'error',
  status: 503,
  type: 'ServiceUnavailable',
};

export class FakeSesServer extends FakeHttpServer<SesRequest, SesBehaviour> {
  private sent = 0;

  constructor(
    private readonly credentials: SesCredentials,
    private readonly region: string,
  ) {
    super({ kind: 'ok' });
  }

  /** The e-mails SES accepted, oldest first. */
  get accepted(): SesSendEmailBody[] {
    return this.requests.filter((request) => request.accepted).map((request) => request.body ?? {});
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = req.url ?? '';
    const request: SesRequest = {
      method: req.method ?? '',
      path,
      headers: req.headers,
      body: parseJson<SesSendEmailBody>(raw),
      signatureProblem: this.checkSignature(req, raw),
    };
    this.requests.push(request);
    const reply = (status: number, type: string | undefined, body: object) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-amzn-requestid': `req-${this.requests.length}`,
        ...(type ? { 'x-amzn-errortype': type } : {}),
      });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || path !== '/v2/email/outbound-emails') {
      return reply(404, 'NotFoundException', { message: `no route ${req.method} ${path}` });
    }
    if (request.signatureProblem) {
      return reply(403, 'SignatureDoesNotMatch', { message: request.signatureProblem });
    }
    const behaviour = this.nextBehaviour(request);
    if (behaviour.kind === 'error') {
      return reply(behaviour.status, behaviour.type, { message: `${behaviour.type} (fake SES)` });
    }
    request.accepted = true;
    this.sent += 1;
    reply(200, undefined, { MessageId: `fake-ses-message-${this.sent}` });
  }

  /** SigV4 as AWS checks it: same canonical request, same key derivation, same signature. */
  private checkSignature(req: IncomingMessage, body: Buffer): string | undefined {
    const authorization = req.headers.authorization ?? '';
    const match =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        authorization,
      );
    if (!match) return `Authorization is not a SigV4 header: ${authorization.slice(0, 40)}`;
    const [, keyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
    if (keyId !== this.credentials.accessKeyId) return 'unknown access key';
    if (region !== this.region) return `signed for region ${region}, not ${this.region}`;
    if (service !== 'ses') return `signed for service ${service}, not ses`;
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    if (!amzDate.startsWith(date ?? '-')) return 'X-Amz-Date does not match the credential scope';
    const headerNames = (signedHeaders ?? '').split(';');
    if (!headerNames.includes('host')) return 'the host header is not signed';
    const payloadHash = createHash('sha256').update(body).digest('hex');
    const [pathname, query = ''] = (req.url ?? '').split('?');
    const canonicalRequest = [
      req.method,
      pathname,
      query,
      ...headerNames.map((name) => `${name}:${headerValue(req, name)}`),
      '',
      signedHeaders,
      payloadHash,
    ].join('\n');
    const scope = `${date}/${region}/${service}/aws4_request`;
    const stringToSign = [
      'AWS4-HMAC-SHA256',
      amzDate,
      scope,
      createHash('sha256').update(canonicalRequest).digest('hex'),
    ].join('\n');
    let key: Buffer = Buffer.from(`AWS4${this.credentials.secretAccessKey}`);
    for (const part of [date, region, service, 'aws4_request']) {
      key = createHmac('sha256', key)
        .update(part ?? '')
        .digest();
    }
    const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
    return expected === signature ? undefined : 'the signature does not match';
  }
}

function headerValue(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ');
}
