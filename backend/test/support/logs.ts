/** One JSON log line as the application writes it. */
export type LogLine = Record<string, unknown> & { level: string; time: string; msg?: string };

/** A pino destination that keeps what the application logs, for tests to read. */
export class LogCapture {
  readonly raw: string[] = [];

  write(chunk: string): void {
    this.raw.push(chunk);
  }

  /** Every line so far, parsed: a line that is not JSON fails the test here. */
  lines(): LogLine[] {
    return this.raw
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine);
  }

  /** All of it as written, to search for what must never be logged. */
  text(): string {
    return this.raw.join('');
  }
}
