/** What the admin API tests share: calling /v1/admin with the admin token, and the log's flush. */
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AnswerLog } from '../../src/analytics/answer-log';
import { BufferedAnswerLog } from '../../src/analytics/buffered-answer-log';
import { ConversationLogStore } from '../../src/analytics/conversation-log.store';

/** The ADMIN_TOKEN the tests start the app with. */
export const E2E_ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdefghij';

export interface AdminResponse<T> {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body; tests name the type they expect. */
  body: T;
}

export function admin(url: string, token = E2E_ADMIN_TOKEN) {
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<AdminResponse<T>> => {
    const response = await fetch(`${url}/v1/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: (type.includes('json') && text ? JSON.parse(text) : undefined) as T,
    };
  };
  return {
    get: <T = unknown>(path: string) => call<T>('GET', path),
    delete: <T = unknown>(path: string) => call<T>('DELETE', path),
    post: <T = unknown>(path: string, body: unknown) => call<T>('POST', path, body),
  };
}

/**
 * Waits until the conversation log holds what `ready` looks for: the chat queues an answer just
 * after `done`, and the log writes its queue in batches; this flushes it until then.
 */
export async function logged<T>(
  app: NestExpressApplication,
  read: (store: ConversationLogStore) => Promise<T>,
  ready: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const log = app.get(AnswerLog);
  const store = app.get(ConversationLogStore);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (log instanceof BufferedAnswerLog) await log.flush();
    const value = await read(store);
    if (ready(value)) return value;
    if (Date.now() > deadline) throw new Error(`the log never got there: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
