import { SseParser } from './sse';

/** Feeds `pieces` in order and collects every event, as a response read in chunks would. */
function parse(...pieces: string[]) {
  const parser = new SseParser();
  return pieces.flatMap((piece) => parser.push(piece));
}

describe('SseParser', () => {
  it('returns each event when its blank line arrives, with its name when it has one', () => {
    expect(parse('data: {"a":1}\n\nevent: error\ndata: {"b":2}\n\n')).toEqual([
      { data: '{"a":1}' },
      { event: 'error', data: '{"b":2}' },
    ]);
  });

  it('holds an event split across pieces until it is complete', () => {
    const parser = new SseParser();
    expect(parser.push('data: {"tok')).toEqual([]);
    expect(parser.push('en":"Hi"}\n')).toEqual([]);
    expect(parser.push('\ndata: [DO')).toEqual([{ data: '{"token":"Hi"}' }]);
    expect(parser.push('NE]\n\n')).toEqual([{ data: '[DONE]' }]);
  });

  it('accepts CRLF and CR line ends, including a CRLF split between pieces', () => {
    expect(parse('data: one\r', '\n\r\ndata: two\r\rdata: three\r\n', '\r\n')).toEqual([
      { data: 'one' },
      { data: 'two' },
      { data: 'three' },
    ]);
  });

  it('joins data lines with newlines, keeps a value’s own colons and spaces, skips comments', () => {
    expect(parse(': keep-alive\n\ndata:a: b\ndata:  c\nid: 7\n\n')).toEqual([{ data: 'a: b\n c' }]);
  });

  it('dispatches nothing for an event without data, and forgets its name', () => {
    expect(parse('event: ping\n\ndata: x\n\n')).toEqual([{ data: 'x' }]);
  });
});
