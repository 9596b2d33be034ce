// Why a YARN application failed when no exception of the app says it, from what spark-submit prints in YARN
// cluster mode (an EMR step's stderr): the client only says `Application … finished with failed status`;
// YARN's application report before it says why (Spark's yarn `Client.formatReportDetails`, `diagnostics:
// …`), with YARN's container exit messages (the NodeManager's memory monitor, ContainerExitStatus codes).
// The exception a user class threw (`User class threw exception: …`) is root-cause.ts's. Sources:
// docs/protocols.md, "YARN application reports".

/** YarnCause is YARN's reason for a failed application, with what usually fixes it. */
export interface YarnCause {
  summary: string;
  hint?: string;
}

const MEMORY =
  /Container killed by YARN for exceeding (physical |virtual )?memory limits\.\s*([^.]*(?:\.\d+[^.]*)*\.)?/;
// Hadoop 3's NodeManager: `Container [pid=…] is running 1.2GB beyond the 'PHYSICAL' memory limit. Current usage: …`
const BEYOND =
  /is running ([\d.]+\s?[KMGT]?B) beyond the '(PHYSICAL|VIRTUAL)' memory limit\.(?:\s*Current usage: ([^;.]*(?:\.\d[^;.]*)*))?/;
const EXIT_CODE = /exited with\s+exitCode: (-?\d+)/;
const DIAGNOSTICS = /^\s*diagnostics: (.+)$/;

const EXIT_HINT: Record<string, string> = {
  '137':
    'the container was killed (SIGKILL), most often by the memory limit: raise spark.driver.memoryOverhead / spark.executor.memoryOverhead',
  '143': 'the container was stopped (SIGTERM): preempted, or the application was killed',
  '-104': 'the container exceeded its physical memory: raise spark.executor.memoryOverhead',
  '-103':
    'the container exceeded its virtual memory: raise the memory overhead, or turn off yarn.nodemanager.vmem-check-enabled',
};

/** yarnCause reads YARN's reason for a failed application from spark-submit's log, the last one given. */
export function yarnCause(lines: readonly string[]): YarnCause | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    const memory = MEMORY.exec(line);
    if (memory)
      return {
        summary: `Container killed by YARN for exceeding ${memory[1] ?? ''}memory limits${memory[2] ? `: ${memory[2].trim()}` : ''}`,
        hint: 'raise spark.executor.memoryOverhead (or spark.driver.memoryOverhead for the driver), or use fewer cores per executor',
      };
    const beyond = BEYOND.exec(line);
    if (beyond)
      return {
        summary: `YARN killed the container: ${beyond[1]} beyond its ${beyond[2]?.toLowerCase()} memory limit${beyond[3] ? ` (${beyond[3].trim()})` : ''}`,
        hint:
          beyond[2] === 'PHYSICAL'
            ? 'raise spark.driver.memoryOverhead / spark.executor.memoryOverhead (off-heap memory counts against the container)'
            : 'raise the memory overhead, or turn off yarn.nodemanager.vmem-check-enabled',
      };
    const exit = EXIT_CODE.exec(line);
    if (exit?.[1]) {
      const code = exit[1];
      const hint = EXIT_HINT[code];
      return { summary: `YARN container exited with exit code ${code}`, ...(hint ? { hint } : {}) };
    }
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const d = DIAGNOSTICS.exec(lines[i] ?? '');
    if (d?.[1] && d[1].trim() !== 'N/A') return { summary: `YARN: ${d[1].trim()}` };
  }
  return undefined;
}
