/**
 * For tests of concurrent processes, run inside the child processes: each one checks in at a start line
 * (a folder) and waits until all have, so that what follows really runs at the same time, however
 * long each process took to start.
 */
import * as fs from 'fs';
import * as path from 'path';
import { sleepSync } from '../../scripts/lib/file-lock';

export function waitAtStartLine(folder: string, runners: number): void {
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, String(process.pid)), '');
  while (fs.readdirSync(folder).length < runners) sleepSync(5);
}
