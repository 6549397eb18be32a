import { type IncomingMessage, type ServerResponse } from 'node:http';
import { LogCapture } from '../../test/support/logs';
import { httpLoggerOptions, requestIdOf } from './http-logging';
import { withLogContext } from './log-context';
import { createAppLogger, createLogger } from './logger';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function request(url: string, peer: string, headers: Record<string, string> = {}) {
  return { method: 'GET', url, headers, socket: { remoteAddress: peer } } as IncomingMessage;
}

function response(statusCode: number) {
  return { statusCode } as ServerResponse;
}

describe('createLogger', () => {
  it('maps LOG_LEVEL to pino levels and writes the level in capitals, without pid or host', () => {
    const capture = new LogCapture();
    const logger = createLogger('log', capture);
    logger.debug('hidden');
    logger.info('shown');
    expect(capture.lines()).toEqual([{ level: 'INFO', time: expect.any(String), msg: 'shown' }]);
    expect(createLogger('verbose', capture).level).toBe('trace');
    expect(createLogger('error', capture).level).toBe('error');
  });
});

describe('createAppLogger', () => {
  it('adds the context of the current request or answer to every line, nested ones merged', () => {
    const capture = new LogCapture();
    const logger = createAppLogger(createLogger('log', capture));
    logger.log('outside', 'Test');
    withLogContext({ requestId: 'r1' }, () =>
      withLogContext({ messageId: 'm1' }, () => logger.log('inside', 'Test')),
    );
    expect(capture.lines().map(({ time: _time, ...line }) => line)).toEqual([
      { level: 'INFO', context: 'Test', msg: 'outside' },
      { level: 'INFO', requestId: 'r1', messageId: 'm1', context: 'Test', msg: 'inside' },
    ]);
  });

  it('writes where its own root logger does, whichever app logger came first', () => {
    const first = new LogCapture();
    const second = new LogCapture();
    createAppLogger(createLogger('log', first)).log('one');
    createAppLogger(createLogger('log', second)).log('two');
    expect(first.lines().map((line) => line.msg)).toEqual(['one']);
    expect(second.lines().map((line) => line.msg)).toEqual(['two']);
  });
});

describe('requestIdOf', () => {
  it('keeps a short token of letters, digits, dots, dashes and underscores', () => {
    expect(requestIdOf('Root-1.abc_DEF')).toBe('Root-1.abc_DEF');
    expect(requestIdOf('a'.repeat(64))).toBe('a'.repeat(64));
  });

  it('replaces anything else with a new UUID', () => {
    for (const header of [undefined, '', 'a'.repeat(65), 'a b', 'x\ny', ['a', 'b']]) {
      expect(requestIdOf(header)).toMatch(UUID);
    }
  });
});

describe('httpLoggerOptions', () => {
  const withoutContent = httpLoggerOptions({ logContent: false, trustProxyHops: 1 });
  const withContent = httpLoggerOptions({ logContent: true, trustProxyHops: 1 });
  const proxied = request('/v1/visitor-token?token=abc', '10.0.0.2', {
    'x-forwarded-for': '203.0.113.7',
    authorization: 'Bearer secret',
    cookie: 'session=secret',
  });

  it('logs a request by method and path only: no query string, header or address', () => {
    expect(withoutContent.serializers?.req?.(proxied)).toEqual({
      method: 'GET',
      url: '/v1/visitor-token',
    });
    expect(withoutContent.serializers?.res?.(response(204))).toEqual({ statusCode: 204 });
  });

  it('adds the client IP, as the quotas see it behind the proxies, with LOG_CONTENT', () => {
    expect(withContent.serializers?.req?.(proxied)).toEqual({
      method: 'GET',
      url: '/v1/visitor-token',
      ip: '203.0.113.7',
    });
  });

  it('logs failures as errors and health probes only when debugging or failing', () => {
    const level = withoutContent.customLogLevel;
    expect(level?.(request('/', ''), response(200))).toBe('info');
    expect(level?.(request('/nope', ''), response(404))).toBe('info');
    expect(level?.(request('/', ''), response(500))).toBe('error');
    expect(level?.(request('/', ''), response(200), new Error('reset'))).toBe('error');
    expect(level?.(request('/health', ''), response(200))).toBe('debug');
    expect(level?.(request('/health', ''), response(503))).toBe('warn');
    expect(level?.(request('/health/live', ''), response(200))).toBe('debug');
    expect(level?.(request('/health/ready', ''), response(503))).toBe('warn');
    expect(level?.(request('/healthy', ''), response(200))).toBe('info');
  });
});
