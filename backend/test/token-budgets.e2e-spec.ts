/**
 * Daily token budgets are reserved before an answer and settled after it, so answers running side
 * by side never spend more than a budget. Against both quota stores: this process's memory, and a
 * real redis-server (Debian's package, test/support/redis.ts) shared by two connections or two
 * started applications, as tasks share it. Answers come from a local server speaking OpenAI's
 * streaming wire protocol that counts the prompt it receives as LoreChat estimates it (about four
 * characters a token) and reports one token per streamed piece.
 */
import { type ErrorPayload } from '@lorechat/contracts';
import { ChatError } from '../src/chat/chat-error';
import { loadConfig } from '../src/config/app-config';
import { ConfigService } from '../src/config/config.service';
import { RedisConnection } from '../src/redis/redis-connection';
import { RedisQuotaStore } from '../src/security/quota-store/redis.store';
import { MemoryQuotaStore } from '../src/security/quota-store/memory.store';
import { type QuotaStore } from '../src/security/quota-store/quota-store';
import { Quotas, type TokenReservation, type Visitor } from '../src/security/quotas';
import { estimateTokens } from '../src/text/tokens';
import {
  type FakeOpenAi,
  type FakeOpenAiRequest,
  type FakeOpenAiStream,
  startFakeOpenAi,
} from './fakes/openai-server';
import { ChatClient, type RunningApp, startApp, visitorToken } from './support/app';
import { RedisServer, uniquePrefix, untilReady } from './support/redis';

const QUESTION = 'How do I deploy?';

/** Where the budgets are kept, and as many Quotas over it as tasks would have. */
interface Place {
  name: string;
  open(limits: NodeJS.ProcessEnv, tasks: number): Promise<Quotas[]>;
}

let redisServer: RedisServer;
const connections: RedisConnection[] = [];

beforeAll(async () => {
  redisServer = await RedisServer.start();
});
afterAll(async () => {
  for (const connection of connections) await connection.onApplicationShutdown();
  await redisServer.stop();
});

function quotasOver(store: QuotaStore, limits: NodeJS.ProcessEnv): Quotas {
  const config = loadConfig({
    QUOTA_QUESTIONS_PER_MINUTE: '0',
    QUOTA_IP_QUESTIONS_PER_MINUTE: '0',
    QUOTA_TOKENS_PER_DAY: '0',
    QUOTA_IP_TOKENS_PER_DAY: '0',
    SITE_TOKENS_PER_DAY: '0',
    ...limits,
  });
  return new Quotas(new ConfigService(config), store);
}

const PLACES: Place[] = [
  {
    name: 'in memory',
    open: (limits, tasks) => {
      const store = new MemoryQuotaStore();
      return Promise.resolve(Array.from({ length: tasks }, () => quotasOver(store, limits)));
    },
  },
  {
    name: 'in a real Redis, one connection per task',
    open: async (limits, tasks) => {
      const keyPrefix = uniquePrefix();
      return Promise.all(
        Array.from({ length: tasks }, async () => {
          const connection = new RedisConnection({ url: redisServer.url, keyPrefix });
          connections.push(connection);
          await untilReady(connection);
          return quotasOver(new RedisQuotaStore(connection), limits);
        }),
      );
    },
  },
];

const visitor = (id: string, ip = '203.0.113.1'): Visitor => ({ id, siteKey: 'demo', ip });

/** The reservation, or the refusal's code. */
async function attempt(
  quotas: Quotas,
  who: Visitor,
  tokens: number,
): Promise<TokenReservation | string> {
  try {
    return await quotas.reserveTokens(who, tokens);
  } catch (error) {
    if (error instanceof ChatError) return error.code;
    throw error;
  }
}

const held = (results: (TokenReservation | string)[]) =>
  results.filter((result): result is TokenReservation => typeof result !== 'string');

describe.each(PLACES)('token reservations $name', (place) => {
  it('admits exactly what fits when 40 reservations race, from two tasks', async () => {
    const tasks = await place.open({ QUOTA_TOKENS_PER_DAY: '1000' }, 2);
    const alice = visitor('alice');
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, n) => attempt(tasks[n % 2]!, alice, 70)),
    );
    const reservations = held(results);
    expect(reservations).toHaveLength(14); // 14 × 70 = 980 of 1,000
    expect(results.filter((result) => result === 'daily_limit_reached')).toHaveLength(26);
    // Refused reservations gave back what they took: 20 tokens are left, not one more.
    expect(await attempt(tasks[0]!, alice, 21)).toBe('daily_limit_reached');
    const last = await attempt(tasks[1]!, alice, 20);
    expect(typeof last).not.toBe('string');

    // Settling keeps what each answer spent, 30, and gives back the rest: 1000 - 14 × 30 - 20.
    await Promise.all(reservations.map((reservation) => reservation.settle(usage(30))));
    await Promise.all(reservations.map((reservation) => reservation.settle(usage(30)))); // once only
    expect(await attempt(tasks[0]!, alice, 561)).toBe('daily_limit_reached');
    expect(typeof (await attempt(tasks[1]!, alice, 560))).not.toBe('string');
  });

  it('charges an answer that spent more than it reserved, in full', async () => {
    const [quotas] = await place.open({ QUOTA_TOKENS_PER_DAY: '100' }, 1);
    const reservation = await quotas!.reserveTokens(visitor('bob'), 40);
    await reservation.settle(usage(90));
    expect(await attempt(quotas!, visitor('bob'), 11)).toBe('daily_limit_reached');
    expect(typeof (await attempt(quotas!, visitor('bob'), 10))).not.toBe('string');
  });

  it('takes nothing from any budget when one of them refuses', async () => {
    const [quotas] = await place.open(
      { QUOTA_TOKENS_PER_DAY: '100', QUOTA_IP_TOKENS_PER_DAY: '100', SITE_TOKENS_PER_DAY: '50' },
      1,
    );
    await quotas!.reserveTokens(visitor('carol', '198.51.100.1'), 40);
    // The site budget refuses dave's 20: his own and his address's budgets keep all of theirs.
    expect(await attempt(quotas!, visitor('dave', '198.51.100.2'), 20)).toBe('daily_limit_reached');
    expect(typeof (await attempt(quotas!, visitor('erin', '198.51.100.3'), 10))).not.toBe('string');
  });

  it('says which daily limit was reached, and never "too many questions"', async () => {
    const [quotas] = await place.open({ QUOTA_TOKENS_PER_DAY: '10', SITE_TOKENS_PER_DAY: '25' }, 1);
    const refusal = async (who: Visitor, tokens: number) => {
      try {
        await quotas!.reserveTokens(who, tokens);
      } catch (error) {
        return error as ChatError;
      }
      throw new Error('not refused');
    };
    const own = await refusal(visitor('frank'), 11);
    expect(own.code).toBe('daily_limit_reached');
    expect(own.message).toMatch(/^You have reached the daily limit of answers\. Try again in /);
    expect(own.retryAfterSeconds).toBeLessThanOrEqual(86_400);
    await quotas!.reserveTokens(visitor('grace'), 10);
    await quotas!.reserveTokens(visitor('heidi'), 10);
    const site = await refusal(visitor('ivan'), 10);
    expect(site.message).toMatch(/^This site's assistant has reached its daily limit of answers\./);
    for (const message of [own.message, site.message]) expect(message).not.toMatch(/too many/i);
  });
});

/** An answer's usage, all of it output. */
function usage(tokens: number) {
  return { inputTokens: 0, outputTokens: tokens };
}

/** The prompt's tokens as LoreChat estimates them, from what arrived on the wire. */
function promptTokensOf(request: FakeOpenAiRequest): number {
  const texts = request.body.messages.map(({ content }) =>
    typeof content === 'string' ? content : '',
  );
  return estimateTokens(texts.join(''));
}

/** A provider that answers `pieces` tokens (each `delayMs` apart) and counts usage as it would. */
function counting(pieces: number, delayMs = 0): (request: FakeOpenAiRequest) => FakeOpenAiStream {
  return (request) => ({
    kind: 'stream',
    tokens: Array.from({ length: pieces }, (_, n) => `w${n} `),
    tokenDelayMs: delayMs,
    usage: { promptTokens: promptTokensOf(request), completionTokens: pieces },
  });
}

describe('answers against daily token budgets', () => {
  let openAi: FakeOpenAi;
  /** Prompt tokens of QUESTION asked first in a conversation: every app here sends the same. */
  let prompt: number;
  const running: RunningApp[] = [];

  const start = (env: NodeJS.ProcessEnv) =>
    startApp({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: openAi.baseUrl,
      LLM_MAX_RETRIES: '0',
      // A cached answer costs no tokens: every answer here must come from the model.
      RESPONSE_CACHE_ENABLED: 'false',
      ...env,
    }).then((app) => {
      running.push(app);
      return app;
    });

  beforeAll(async () => {
    openAi = await startFakeOpenAi(counting(3));
    const app = await start({});
    const client = await ChatClient.connect(app.url);
    const { done } = await client.askAndWait({ text: QUESTION });
    client.close();
    prompt = done!.usage.inputTokens;
    expect(prompt).toBeGreaterThan(100); // the system rules and the sources, at least
  });
  afterEach(async () => {
    for (const app of running.splice(0)) await app.stop();
  });
  afterAll(() => openAi.close());

  /** What an answer of 3 tokens costs, and what it reserves with LLM_MAX_OUTPUT_TOKENS=3. */
  const answerCost = () => prompt + 3;

  /** Asks and waits: the usage spent, or the refusal (at the ack or as the answer's error). */
  async function outcome(client: ChatClient): Promise<number | ErrorPayload> {
    const response = await client.ask({ text: QUESTION });
    if (!response.ok) return response.error;
    const answer = await client.answerOf(response.messageId);
    if (answer.error) return answer.error;
    return answer.done!.usage.inputTokens + answer.done!.usage.outputTokens;
  }

  async function tenInParallel(urls: string[]): Promise<(number | ErrorPayload)[]> {
    openAi.setScript(counting(3, 30));
    const token = await visitorToken(urls[0]!);
    const clients = await Promise.all(urls.map((url) => ChatClient.connect(url, { token })));
    try {
      return await Promise.all(
        Array.from({ length: 10 }, (_, n) => outcome(clients[n % clients.length]!)),
      );
    } finally {
      for (const client of clients) client.close();
    }
  }

  function expectWithinBudget(outcomes: (number | ErrorPayload)[], budget: number) {
    const spent = outcomes.filter((result): result is number => typeof result === 'number');
    const refused = outcomes.filter((result): result is ErrorPayload => typeof result !== 'number');
    expect(spent).toHaveLength(Math.floor(budget / answerCost()));
    expect(spent.reduce((sum, tokens) => sum + tokens, 0)).toBeLessThanOrEqual(budget);
    for (const refusal of refused) expect(refusal.code).toBe('daily_limit_reached');
  }

  it('ten parallel answers on one task spend no more than the budget', async () => {
    const budget = Math.floor(3.5 * answerCost());
    const app = await start({ QUOTA_TOKENS_PER_DAY: String(budget), LLM_MAX_OUTPUT_TOKENS: '3' });
    expectWithinBudget(await tenInParallel([app.url]), budget);
  });

  it('ten parallel answers on two tasks sharing a real Redis spend no more than the budget', async () => {
    const shared = { REDIS_URL: redisServer.url, REDIS_KEY_PREFIX: uniquePrefix() };
    const budget = Math.floor(3.5 * answerCost());
    const env = { ...shared, QUOTA_TOKENS_PER_DAY: String(budget), LLM_MAX_OUTPUT_TOKENS: '3' };
    const [taskA, taskB] = [await start(env), await start(env)];
    expectWithinBudget(await tenInParallel([taskA.url, taskB.url]), budget);
  });

  it('gives back what an answer reserved and did not use', async () => {
    // Each answer reserves its prompt and 50 output tokens, and uses 3 of them.
    const budget = 2 * answerCost() + 47;
    const app = await start({ QUOTA_TOKENS_PER_DAY: String(budget), LLM_MAX_OUTPUT_TOKENS: '50' });
    openAi.setScript(counting(3));
    const client = await ChatClient.connect(app.url);
    expect(await outcome(client)).toBe(answerCost());
    expect(await outcome(client)).toBe(answerCost());
    expect(await outcome(client)).toMatchObject({ code: 'daily_limit_reached' });
    client.close();
  });

  it('charges a stopped answer what the model read and wrote', async () => {
    // Room for one whole answer of 20 tokens and one more prompt; a free stop would leave room
    // for a second whole answer.
    const budget = 2 * prompt + 20;
    const app = await start({ QUOTA_TOKENS_PER_DAY: String(budget), LLM_MAX_OUTPUT_TOKENS: '20' });
    openAi.setScript(counting(20, 50));
    const client = await ChatClient.connect(app.url);
    const response = await client.ask({ text: QUESTION });
    if (!response.ok) throw new Error(response.error.message);
    await new Promise((resolve) => client.socket.once('token', resolve));
    client.socket.emit('cancel', { messageId: response.messageId });
    expect((await client.answerOf(response.messageId)).done?.cancelled).toBe(true);

    openAi.setScript(counting(20));
    expect(await outcome(client)).toMatchObject({ code: 'daily_limit_reached' });
    client.close();
  });

  it('holds every visitor to their own budget, an address to its own, and a site to its own', async () => {
    const cost = answerCost();
    openAi.setScript(counting(3));
    const cases = [
      // Two answers each: the visitor's third is refused, another visitor is not.
      { env: { QUOTA_TOKENS_PER_DAY: String(2 * cost) }, answered: [2, 1] },
      // One answer per address, whoever asks from it.
      { env: { QUOTA_IP_TOKENS_PER_DAY: String(cost) }, answered: [1, 0] },
      // Two answers for the whole site.
      { env: { SITE_TOKENS_PER_DAY: String(2 * cost) }, answered: [2, 0] },
    ];
    for (const { env, answered } of cases) {
      const app = await start({ ...env, LLM_MAX_OUTPUT_TOKENS: '3' });
      const counts: number[] = [];
      for (const visitorAsks of [3, 1]) {
        const client = await ChatClient.connect(app.url);
        let count = 0;
        for (let n = 0; n < visitorAsks; n++) {
          const result = await outcome(client);
          if (typeof result === 'number') count += 1;
          else expect(result).toMatchObject({ code: 'daily_limit_reached' });
        }
        counts.push(count);
        client.close();
      }
      expect(counts).toEqual(answered);
      await running.pop()!.stop();
    }
  });
});
