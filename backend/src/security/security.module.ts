import { randomBytes } from 'node:crypto';
import { Logger, Module } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { MemoryQuotaStore } from './memory-quota.store';
import { QuotaStore } from './quota.store';
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
    { provide: QuotaStore, useFactory: () => new MemoryQuotaStore() },
    Quotas,
    VisitorAuth,
  ],
  exports: [VisitorTokens, Quotas, VisitorAuth],
})
export class SecurityModule {}
