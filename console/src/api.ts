import {
  type Conversation,
  type CrawlStatus,
  type GapGroup,
  type PagesReport,
  type Stats,
} from './types';

/** The admin API refused the session: the console shows the sign-in form again. */
export class SignedOut extends Error {}

export const SIGNED_OUT_EVENT = 'lorechat-console:signed-out';

/** Sent with every request: the server admits the session cookie only with it. */
const CONSOLE_HEADER = { 'x-lorechat-console': '1' };

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`/v1/admin${path}`, {
    ...init,
    credentials: 'same-origin',
    headers: { ...CONSOLE_HEADER, ...init.headers },
  });
  if (response.status === 401) {
    // The session expired, or the token changed: back to the sign-in form.
    window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    throw new SignedOut('Signed out');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as
      { error?: { message?: string } } | undefined;
    throw new Error(body?.error?.message ?? `The server answered ${response.status}.`);
  }
  return response;
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await request(path, init)).json()) as T;
}

function query(parameters: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const api = {
  /** Whether the session cookie is valid. */
  async signedIn(): Promise<boolean> {
    try {
      await request('/session');
      return true;
    } catch (error) {
      if (error instanceof SignedOut) return false;
      throw error;
    }
  },

  /** Exchanges the admin token for a session cookie; false when the token is wrong. */
  async signIn(token: string): Promise<boolean> {
    const response = await fetch('/v1/admin/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', ...CONSOLE_HEADER },
      body: JSON.stringify({ token }),
    });
    if (response.status === 204) return true;
    if (response.status === 401) return false;
    const body = (await response.json().catch(() => undefined)) as
      { error?: { message?: string } } | undefined;
    throw new Error(body?.error?.message ?? `The server answered ${response.status}.`);
  },

  async signOut(): Promise<void> {
    await fetch('/v1/admin/session', { method: 'DELETE', credentials: 'same-origin' });
  },

  stats: (days: number) => json<Stats>(`/stats${query({ days })}`),
  conversations: (filters: Record<string, string | number | undefined>) =>
    json<{ items: Conversation[]; next?: string }>(`/conversations${query(filters)}`),
  conversation: (id: string) => json<Conversation>(`/conversations/${encodeURIComponent(id)}`),
  deleteConversation: (id: string) =>
    json<{ deletedAnswers: number }>(`/conversations/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    }),
  deleteVisitor: (id: string) =>
    json<{ deletedAnswers: number }>(`/visitors/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  gaps: (days: number) => json<{ items: GapGroup[] }>(`/gaps${query({ days })}`),
  pages: (days: number) => json<PagesReport>(`/pages${query({ days })}`),
  crawl: () => json<CrawlStatus>('/crawl'),

  /** Fetches an export with the session and hands it to the browser as a file download. */
  async download(format: 'csv' | 'json', days: number): Promise<void> {
    const response = await request(`/export${query({ format, days })}`);
    const disposition = response.headers.get('content-disposition') ?? '';
    const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `lorechat-conversations.${format}`;
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  },
};
