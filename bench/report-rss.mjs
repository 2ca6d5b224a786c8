// Preloaded into benchmark child processes: on exit, writes the process's peak
// resident set size (all threads, DuckDB's included) to $RECON_RSS_FILE and,
// when $RECON_CPU_FILE is set, its CPU time in ms (user + system, all threads) there.
import { writeFileSync } from 'node:fs';

const file = process.env.RECON_RSS_FILE;
const cpuFile = process.env.RECON_CPU_FILE;
if (file || cpuFile) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    if (file) writeFileSync(file, String(u.maxRSS * 1024));
    if (cpuFile) writeFileSync(cpuFile, String(Math.round((u.userCPUTime + u.systemCPUTime) / 1000)));
  });
}
