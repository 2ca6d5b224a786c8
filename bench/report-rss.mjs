// Preloaded into benchmark child processes: on exit, writes the process's peak
// resident set size (all threads, DuckDB's included) to $RECON_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.RECON_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}
