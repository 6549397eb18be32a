import { Module } from '@nestjs/common';
import { SiteController } from './site.controller';
import { WidgetBundle } from './widget-bundle';

@Module({ controllers: [SiteController], providers: [WidgetBundle] })
export class SiteModule {}
