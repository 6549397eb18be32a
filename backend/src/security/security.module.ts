import { randomBytes } from 'node:crypto';
import { Logger, Module } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { RedisConnection } from '../redis/redis-connection';
import { OPTIONAL_REDIS } from '../redis/redis.module';
import { createQuotaStore } from './quota-store/factory';
import { QuotaStore } from './quota-store/quota-store';
import { Quotas } from './quotas';
import { VisitorAuth } from './visitor-auth';
import { VisitorTokenController } from './visitor-token.controller';
import { VisitorTokens } from './visitor-tokens';

@Module({
  controllers: [VisitorTokenController],
  providers: [
    {
      provide: VisitorTokens,
      useFactory: ({ config }: ConfigService) => {
        const { visitorTokenSecret, visitorTokenTtlSeconds } = config.security;
        if (!visitorTokenSecret) {
          new Logger('Security').warn(
            'VISITOR_TOKEN_SECRET is not set: using a random secret for this process, so visitor tokens will not survive a restart or work across tasks.',
          );
        }
        return new VisitorTokens(
          visitorTokenSecret ?? randomBytes(32).toString('base64url'),
          visitorTokenTtlSeconds,
        );
      },
      inject: [ConfigService],
    },
    {
      provide: QuotaStore,
      useFactory: (redis?: RedisConnection) => createQuotaStore(redis),
      inject: [OPTIONAL_REDIS],
    },
    Quotas,
    VisitorAuth,
  ],
  exports: [VisitorTokens, Quotas, VisitorAuth],
})
export class SecurityModule {}
