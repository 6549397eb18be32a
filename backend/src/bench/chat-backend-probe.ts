/**
 * Preloaded (`node --expose-gc --require …/chat-backend-probe.js dist/main.js`) into the backend
 * that `npm run bench:chat` starts, and only there: the product has no such hook. Over the IPC
 * channel of the fork it answers the orchestrator's `probe` with the process's memory (after a
 * full garbage collection when asked, so that floating garbage is not counted as memory held by
 * connections), its CPU time, its event-loop delay since the last probe and, when it runs its
 * cluster of workers, how many of them listen. Cluster workers inherit the preload but skip it:
 * their IPC channel is the primary's.
 */
import cluster from 'node:cluster';
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
  /** Cluster workers listening: 0 when the server is one process. */
  workersListening: number;
}

/** The delay monitor's sampling interval, ms: its readings include it, so it is subtracted. */
const RESOLUTION_MS = 5;
const lag = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS);

if (process.send && !cluster.isWorker) {
  const listening = new Set<number>();
  cluster.on('listening', (worker) => listening.add(worker.id));
  cluster.on('exit', (worker) => listening.delete(worker.id));
  const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
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
      loopDelayP50Ms: lag(loop.percentile(50)),
      loopDelayP99Ms: lag(loop.percentile(99)),
      loopDelayMaxMs: lag(loop.max),
      workersListening: listening.size,
    };
    loop.reset();
    process.send?.(reply);
  });
  // If the bench goes away without stopping the backend (killed), the backend shuts down as on
  // SIGTERM. The channel alone must not keep the backend alive once it wants to exit.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  process.channel?.unref();
}
