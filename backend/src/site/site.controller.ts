import { Controller, Get, Header } from '@nestjs/common';
import { DEMO_PAGE } from './demo-page';

@Controller()
export class SiteController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  demo(): string {
    return DEMO_PAGE;
  }
}
