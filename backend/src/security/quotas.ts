import { Injectable } from '@nestjs/common';
import { ChatError } from '../chat/chat-error';
import { type Usage } from '@lorechat/contracts';
import { type QuotaLimits } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { QuotaStore } from './quota-store/quota-store';

/** Who is asking, as established by the socket handshake. */
export interface Visitor {
  /** From the visitor token: the same across reconnects while the widget renews its token. */
  id: string;
  siteKey: string;
  ip: string;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

interface Window {
  /** Part of the counter key: a new window starts a new counter. */
  id: number;
  endMs: number;
}

/** Fixed windows aligned on the epoch (days are UTC days), so every task agrees on them. */
function windowOf(nowMs: number, lengthMs: number): Window {
  const id = Math.floor(nowMs / lengthMs);
  return { id, endMs: (id + 1) * lengthMs };
}

/**
 * Stops abuse before it costs money: questions per minute and model tokens per day, per visitor and
 * per IP (a visitor who drops their token to get a new id is still one IP), and a daily token
 * budget per site that caps what one site can spend whoever asks. A limit of 0 is no limit.
 */
@Injectable()
export class Quotas {
  private readonly limits: QuotaLimits;

  constructor(
    config: ConfigService,
    private readonly store: QuotaStore,
  ) {
    this.limits = config.config.security.quotas;
  }

  /** Counts one question, or throws `rate_limited` with the seconds until it would pass. */
  async admitQuestion(visitor: Visitor, nowMs = Date.now()): Promise<void> {
    const day = windowOf(nowMs, DAY_MS);
    // Token budgets are only read here (answers charge them), and first: a visitor out of tokens
    // must not also use up their questions.
    for (const { key, limit, message } of this.tokenBudgets(visitor, day)) {
      if (limit > 0 && (await this.store.get(key)) >= limit) {
        throw rateLimited(message, day.endMs - nowMs);
      }
    }
    const minute = windowOf(nowMs, MINUTE_MS);
    const questionLimits = [
      {
        key: `questions:visitor:${visitor.siteKey}:${visitor.id}:${minute.id}`,
        limit: this.limits.visitorQuestionsPerMinute,
      },
      { key: `questions:ip:${visitor.ip}:${minute.id}`, limit: this.limits.ipQuestionsPerMinute },
    ];
    for (const { key, limit } of questionLimits) {
      if (limit === 0) continue;
      // Refused questions count too, so hammering keeps a client limited rather than probing.
      const asked = await this.store.increment(key, 1, minute.endMs);
      if (asked > limit) {
        throw rateLimited('Too many questions in a minute.', minute.endMs - nowMs);
      }
    }
  }

  /** Charges an answer's model tokens, input and output, to every daily budget it counts against. */
  async chargeTokens(visitor: Visitor, usage: Usage, nowMs = Date.now()): Promise<void> {
    const tokens = usage.inputTokens + usage.outputTokens;
    if (tokens <= 0) return;
    const day = windowOf(nowMs, DAY_MS);
    const budgets = this.tokenBudgets(visitor, day).filter(({ limit }) => limit > 0);
    await Promise.all(budgets.map(({ key }) => this.store.increment(key, tokens, day.endMs)));
  }

  private tokenBudgets(visitor: Visitor, day: Window) {
    return [
      {
        key: `tokens:visitor:${visitor.siteKey}:${visitor.id}:${day.id}`,
        limit: this.limits.visitorTokensPerDay,
        message: 'You have reached the daily limit of answers.',
      },
      {
        key: `tokens:ip:${visitor.ip}:${day.id}`,
        limit: this.limits.ipTokensPerDay,
        message: 'You have reached the daily limit of answers.',
      },
      {
        key: `tokens:site:${visitor.siteKey}:${day.id}`,
        limit: this.limits.siteTokensPerDay,
        message: "This site's assistant has reached its daily limit.",
      },
    ];
  }
}

function rateLimited(reason: string, waitMs: number): ChatError {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new ChatError(
    'rate_limited',
    `${reason} Try again in ${retryAfterSeconds} seconds.`,
    retryAfterSeconds,
  );
}
