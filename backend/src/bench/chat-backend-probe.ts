/**
 * Preloaded (`node --expose-gc --require …/chat-backend-probe.js dist/main.js`) into the backend
 * that `npm run bench:chat` starts, and only there: the product has no such hook. Over the IPC
 * channel of the fork it answers the orchestrator's `probe` with the process's memory (after a
 * full garbage collection when asked, so that floating garbage is not counted as memory held by
 * connections), its CPU time and its event-loop delay since the last probe.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProbeRequest {
  type: 'probe';
  gc: boolean;
}

export interface ProbeReply {
  type: 'probe';
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  /** User plus system CPU time since the process started, ms. */
  cpuMs: number;
  /** The system (kernel) part of it: socket writes and reads, mostly. */
  systemCpuMs: number;
  /** Event-loop delay since the previous probe, ms. */
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

if (process.send) {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const collect = (globalThis as { gc?: () => void }).gc;
  process.on('message', (message: ProbeRequest) => {
    if (message?.type !== 'probe') return;
    if (message.gc && collect) {
      // Twice: the first pass can leave garbage that only becomes unreachable once finalisers ran.
      collect();
      collect();
    }
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    const reply: ProbeReply = {
      type: 'probe',
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      externalBytes: memory.external,
      cpuMs: (cpu.user + cpu.system) / 1000,
      systemCpuMs: cpu.system / 1000,
      loopDelayP50Ms: loop.percentile(50) / 1e6,
      loopDelayP99Ms: loop.percentile(99) / 1e6,
      loopDelayMaxMs: loop.max / 1e6,
    };
    loop.reset();
    process.send?.(reply);
  });
  // The channel alone must not keep the backend alive once it wants to exit.
  process.channel?.unref();
}
