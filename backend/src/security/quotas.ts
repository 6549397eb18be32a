import { Injectable } from '@nestjs/common';
import { type Limit, limitReached } from '../chat/chat-error';
import { type Usage } from '@lorechat/contracts';
import { type HandoffSettings, type QuotaLimits } from '../config/app-config';
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
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

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

interface Budget {
  key: string;
  limit: number;
  name: Limit;
}

/**
 * Tokens held against the daily budgets while one answer runs. `settle` replaces them by what the
 * answer really spent, in the day they were reserved in; call it exactly once, however the answer
 * ended.
 */
export interface TokenReservation {
  readonly tokens: number;
  settle(usage: Usage): Promise<void>;
}

/**
 * Stops abuse before it costs money: questions and ratings per minute, and model tokens per day,
 * per visitor and per IP (a visitor who drops their token to get a new id is still one IP), and a
 * daily token budget per site that caps what one site can spend whoever asks. A limit of 0 is no
 * limit.
 *
 * Token budgets are reserved before an answer and settled after it, so answers running side by
 * side cannot together spend more than a budget: each first takes its worst case (the request's
 * estimated size plus LLM_MAX_OUTPUT_TOKENS), and gives back what it did not use.
 */
@Injectable()
export class Quotas {
  private readonly limits: QuotaLimits;
  private readonly handoffLimits: HandoffSettings['quotas'];

  constructor(
    config: ConfigService,
    private readonly store: QuotaStore,
  ) {
    this.limits = config.config.security.quotas;
    this.handoffLimits = config.config.handoff.quotas;
  }

  /**
   * Counts one request to talk to a person, per visitor and per IP an hour and per site a day (each
   * one an e-mail or a message in the owner's channel), or throws `rate_limited`.
   */
  async admitHandoff(visitor: Visitor, nowMs = Date.now()): Promise<void> {
    const hour = windowOf(nowMs, HOUR_MS);
    const day = windowOf(nowMs, DAY_MS);
    const limits = [
      {
        key: `handoffs:visitor:${visitor.siteKey}:${visitor.id}:${hour.id}`,
        limit: this.handoffLimits.visitorPerHour,
        window: hour,
        reached: 'handoffs_per_hour' as const,
      },
      {
        key: `handoffs:ip:${visitor.ip}:${hour.id}`,
        limit: this.handoffLimits.ipPerHour,
        window: hour,
        reached: 'handoffs_per_hour' as const,
      },
      {
        key: `handoffs:site:${visitor.siteKey}:${day.id}`,
        limit: this.handoffLimits.sitePerDay,
        window: day,
        reached: 'handoffs_per_site' as const,
      },
    ];
    for (const { key, limit, window, reached } of limits) {
      if (limit === 0) continue;
      if ((await this.store.increment(key, 1, window.endMs)) > limit) {
        throw limitReached(reached, window.endMs - nowMs);
      }
    }
  }

  /**
   * Counts one question, or throws `rate_limited` (questions per minute) or `daily_limit_reached`
   * (a token budget that cannot hold `leastTokens` more) with the seconds until it would pass.
   * Nothing is reserved yet: `reserveTokens` does that once the request is built.
   */
  async admitQuestion(visitor: Visitor, leastTokens: number, nowMs = Date.now()): Promise<void> {
    const day = windowOf(nowMs, DAY_MS);
    // Token budgets are only read here, and first: a visitor out of tokens must not also use up
    // their questions.
    for (const budget of this.tokenBudgets(visitor, day)) {
      if ((await this.store.get(budget.key)) + leastTokens > budget.limit) {
        throw limitReached(budget.name, day.endMs - nowMs);
      }
    }
    await this.count('questions', visitor, nowMs);
  }

  /** Counts one rating or comment, limited like questions (on counters of its own). */
  async admitFeedback(visitor: Visitor, nowMs = Date.now()): Promise<void> {
    await this.count('feedback', visitor, nowMs);
  }

  /**
   * Reserves `tokens` in every daily budget, or throws `daily_limit_reached` and reserves nothing.
   * Each budget is taken by an atomic increment and given back when it overflows: reservations
   * racing for the last tokens may both be refused, never both admitted.
   */
  async reserveTokens(
    visitor: Visitor,
    tokens: number,
    nowMs = Date.now(),
  ): Promise<TokenReservation> {
    const day = windowOf(nowMs, DAY_MS);
    const budgets = this.tokenBudgets(visitor, day);
    const taken: Budget[] = [];
    for (const budget of budgets) {
      const total = await this.store.increment(budget.key, tokens, day.endMs);
      taken.push(budget);
      if (total > budget.limit) {
        await this.add(taken, -tokens, day);
        throw limitReached(budget.name, day.endMs - nowMs);
      }
    }
    let settled = false;
    return {
      tokens,
      settle: async (usage) => {
        if (settled) return;
        settled = true;
        await this.add(budgets, usage.inputTokens + usage.outputTokens - tokens, day);
      },
    };
  }

  private async count(what: 'questions' | 'feedback', visitor: Visitor, nowMs: number) {
    const minute = windowOf(nowMs, MINUTE_MS);
    const limits = [
      {
        key: `${what}:visitor:${visitor.siteKey}:${visitor.id}:${minute.id}`,
        limit: this.limits.visitorQuestionsPerMinute,
      },
      { key: `${what}:ip:${visitor.ip}:${minute.id}`, limit: this.limits.ipQuestionsPerMinute },
    ];
    for (const { key, limit } of limits) {
      if (limit === 0) continue;
      // Refused requests count too, so hammering keeps a client limited rather than probing.
      const asked = await this.store.increment(key, 1, minute.endMs);
      if (asked > limit) throw limitReached(what, minute.endMs - nowMs);
    }
  }

  private async add(budgets: Budget[], tokens: number, day: Window): Promise<void> {
    if (tokens === 0) return;
    await Promise.all(budgets.map(({ key }) => this.store.increment(key, tokens, day.endMs)));
  }

  /** The daily token budgets that apply (limit above 0), visitor's first. */
  private tokenBudgets(visitor: Visitor, day: Window): Budget[] {
    const budgets: Budget[] = [
      {
        key: `tokens:visitor:${visitor.siteKey}:${visitor.id}:${day.id}`,
        limit: this.limits.visitorTokensPerDay,
        name: 'visitor_tokens',
      },
      {
        key: `tokens:ip:${visitor.ip}:${day.id}`,
        limit: this.limits.ipTokensPerDay,
        name: 'ip_tokens',
      },
      {
        key: `tokens:site:${visitor.siteKey}:${day.id}`,
        limit: this.limits.siteTokensPerDay,
        name: 'site_tokens',
      },
    ];
    return budgets.filter(({ limit }) => limit > 0);
  }
}
