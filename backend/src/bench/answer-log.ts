/**
 * `npm run bench:log`: does the conversation log add time to the first token? Two copies of the
 * real backend (offline extractive answerer, this repository's docs, response cache off) run side
 * by side, one with the log on (the embedded SQLite log, the default, whose writes run on the same
 * thread as the answers: the worst case) and one with ANALYTICS_ENABLED=false. Rounds alternate
 * between them in a shuffled order; in each, VISITORS real socket.io-client visitors ask QUESTIONS
 * questions each, one after another, and the time from `ask` to the first `token` is recorded.
 * Visitors and servers share this process, so both modes carry the same client load.
 *
 * With BENCH_DATABASE_URL (a PostgreSQL URL) the log-on copy writes to PostgreSQL instead.
 * The last line printed is JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { BufferedAnswerLog } from '../analytics/buffered-answer-log';
import { AnswerLog } from '../analytics/answer-log';
import { ConversationLogStore } from '../analytics/conversation-log.store';
import { createApp } from '../app.factory';
import { loadConfig } from '../config/app-config';
import { type ChatSocket, connectVisitor } from './bench-visitor';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const VISITORS = Number(process.env.BENCH_VISITORS ?? 20);
const QUESTIONS = Number(process.env.BENCH_QUESTIONS ?? 10);
const DOCS = join(__dirname, '..', '..', '..', 'docs');

const QUESTION_LIST = [
  'How do I deploy to production?',
  'How do I add the widget to my site?',
  'Which LLM providers are supported?',
  'How do I change the port?',
  'What does the offline answerer do?',
  'How are visitor tokens checked?',
  'Do you sell zebra marmalade?',
];

type Mode = 'on' | 'off';
interface Server {
  app: NestExpressApplication;
  url: string;
  dataDir: string;
}

async function startServer(mode: Mode): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), `lorechat-bench-log-${mode}-`));
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  const config = loadConfig({
    LORECHAT_DATA_DIR: dataDir,
    LORECHAT_DOCS_DIR: DOCS,
    LOG_LEVEL: 'error',
    RESPONSE_CACHE_ENABLED: 'false',
    QUOTA_QUESTIONS_PER_MINUTE: '0',
    QUOTA_TOKENS_PER_DAY: '0',
    QUOTA_IP_QUESTIONS_PER_MINUTE: '0',
    QUOTA_IP_TOKENS_PER_DAY: '0',
    SITE_TOKENS_PER_DAY: '0',
    ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
    ANALYTICS_ENABLED: mode === 'on' ? 'true' : 'false',
    ...(mode === 'on' && databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl(), dataDir };
}

/** One question: ms from `ask` to its first token; resolves once the answer is done. */
function askOnce(socket: ChatSocket, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let messageId: string | undefined;
    let firstToken: number | undefined;
    const onToken = ({ messageId: id }: { messageId: string }) => {
      if (id === messageId || messageId === undefined) firstToken ??= performance.now() - started;
    };
    const onDone = ({ messageId: id }: { messageId: string }) => {
      if (id !== messageId) return;
      socket.off('token', onToken);
      socket.off('done', onDone);
      if (firstToken === undefined) reject(new Error('an answer without tokens'));
      else resolve(firstToken);
    };
    socket.on('token', onToken);
    socket.on('done', onDone);
    socket.emit('ask', { text }, (ack) => {
      if (!ack.ok) reject(new Error(ack.error.message));
      else messageId = ack.messageId;
    });
  });
}

async function round(server: Server, round: number): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from({ length: VISITORS }, () => connectVisitor(server.url)),
  );
  const times: number[][] = await Promise.all(
    sockets.map(async (socket, visitor) => {
      const own: number[] = [];
      for (let index = 0; index < QUESTIONS; index++) {
        const text = QUESTION_LIST[(visitor + index + round) % QUESTION_LIST.length] ?? '';
        own.push(await askOnce(socket, text));
      }
      return own;
    }),
  );
  for (const socket of sockets) socket.disconnect();
  return times.flat();
}

function quantile(values: number[], share: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

async function main(): Promise<void> {
  const servers: Record<Mode, Server> = {
    on: await startServer('on'),
    off: await startServer('off'),
  };
  const times: Record<Mode, number[]> = { on: [], off: [] };
  // A first round each, not counted: JIT, index caches.
  await round(servers.on, 0);
  await round(servers.off, 0);
  for (let index = 0; index < ROUNDS; index++) {
    const order: Mode[] = Math.random() < 0.5 ? ['on', 'off'] : ['off', 'on'];
    for (const mode of order) times[mode].push(...(await round(servers[mode], index)));
    console.log(
      `round ${index + 1}/${ROUNDS}: p50 on ${quantile(times.on, 0.5).toFixed(2)} ms, off ${quantile(times.off, 0.5).toFixed(2)} ms`,
    );
  }
  const log = servers.on.app.get(AnswerLog);
  if (log instanceof BufferedAnswerLog) await log.flush();
  const { items } = await servers.on.app
    .get(ConversationLogStore)
    .listConversations({ filter: {}, limit: 100 });
  const logged = (await servers.on.app.get(ConversationLogStore).dailyCounts(0)).reduce(
    (total, day) => total + day.questions,
    0,
  );
  for (const server of Object.values(servers)) {
    await server.app.close();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
  const summary = (values: number[]) => ({
    p50: round2(quantile(values, 0.5)),
    p95: round2(quantile(values, 0.95)),
    mean: round2(values.reduce((sum, value) => sum + value, 0) / values.length),
  });
  const on = summary(times.on);
  const off = summary(times.off);
  console.log(
    JSON.stringify({
      bench: 'answer-log',
      store: process.env.BENCH_DATABASE_URL ? 'postgres' : 'sqlite',
      answers_per_mode: times.on.length,
      answers_logged: logged,
      conversations_seen: items.length,
      first_token_ms_log_on: on,
      first_token_ms_log_off: off,
      ratio_p50: round2(on.p50 / off.p50),
      ratio_p95: round2(on.p95 / off.p95),
      ratio_mean: round2(on.mean / off.mean),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
