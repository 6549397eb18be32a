import { Injectable } from '@nestjs/common';
import { type AppConfig } from './app-config';

/** The validated configuration, injectable. Built once by `ConfigModule.forRoot`. */
@Injectable()
export class ConfigService {
  constructor(readonly config: AppConfig) {}
}
