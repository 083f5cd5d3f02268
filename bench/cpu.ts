/**
 * CPU time of this process, split into the JS thread and everything else (libwebrtc's signaling,
 * worker and network threads, the lab's GUN/PeerJS worker threads, libuv's pool). CPU time is far
 * less sensitive than wall time to other work on a shared machine; the JS thread's "runnable but
 * waiting" time says how much the machine's load itself delayed us.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface CpuSample {
  /** process.cpuUsage(): user + system of every thread, exited ones included (µs). */
  processUs: number;
  /** The JS thread's time on a CPU and time runnable but not running (ns, /proc schedstat). */
  mainRunNs: number;
  mainWaitNs: number;
  /** The event loop's active (not idle in the poll) time so far (ms, eventLoopUtilization). */
  loopActiveMs: number;
}

export interface CpuDelta {
  processMs: number;
  mainMs: number;
  /** process − JS thread: libwebrtc's threads, worker threads, libuv. */
  otherMs: number;
  /** The JS thread was ready to run but the machine gave the core to someone else. */
  mainWaitMs: number;
  /** The event loop was busy: running a task (JS, or a synchronous native call) rather than polling. */
  loopActiveMs: number;
  /**
   * Busy but neither on a CPU nor waiting for one: asleep inside a synchronous call, such as a wrtc
   * RTCPeerConnection call waiting for libwebrtc's signaling thread. A lower bound: the wait for a
   * core after a wake-up from the poll is counted in mainWaitMs but not in loopActiveMs.
   */
  mainBlockedMs: number;
}

/** /proc/self/schedstat is the calling (main) thread: "run_ns wait_ns timeslices". */
function schedstat(): [number, number] {
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').trim().split(' ');
    return [Number(run), Number(wait)];
  } catch {
    return [Number.NaN, Number.NaN];
  }
}

export function cpuSample(): CpuSample {
  const usage = process.cpuUsage();
  const [mainRunNs, mainWaitNs] = schedstat();
  return {
    processUs: usage.user + usage.system,
    mainRunNs,
    mainWaitNs,
    loopActiveMs: performance.eventLoopUtilization().active,
  };
}

export function cpuSince(before: CpuSample): CpuDelta {
  const now = cpuSample();
  const processMs = (now.processUs - before.processUs) / 1000;
  const mainMs = (now.mainRunNs - before.mainRunNs) / 1e6;
  const mainWaitMs = (now.mainWaitNs - before.mainWaitNs) / 1e6;
  const loopActiveMs = now.loopActiveMs - before.loopActiveMs;
  return {
    processMs,
    mainMs,
    otherMs: Math.max(0, processMs - mainMs),
    mainWaitMs,
    loopActiveMs,
    mainBlockedMs: Math.max(0, loopActiveMs - mainMs - mainWaitMs),
  };
}

/** The 1-minute load average, and the cores it is measured against. */
export function machineLoad(): { load1: number; cores: number } {
  return { load1: loadavg()[0] ?? Number.NaN, cores: availableParallelism() };
}

/**
 * CPU time (user + system) of other processes so far, in ms: the peer hosts. From /proc/PID/stat,
 * which keeps the time of threads that already ended (libwebrtc starts threads per connection), in
 * clock ticks of 10 ms: coarse for one run, fine as a median over rounds.
 */
export function processesCpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // the fields after "(comm)": state is the 3rd field, utime the 14th, stime the 15th
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // a host that ended: its time is gone with it
    }
  }
  return ticks * 10;
}
