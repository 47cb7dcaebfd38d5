/**
 * Loaded with `node --import` into the generator by the dataset benchmark: at exit it writes the
 * process's own resource usage (peak RSS included) as JSON to the file named by RESOURCE_USAGE_FILE,
 * so the benchmark measures the generator itself and not a wrapper process.
 */
import { writeFileSync } from 'fs';

const target = process.env.RESOURCE_USAGE_FILE;
if (target) process.on('exit', () => writeFileSync(target, JSON.stringify(process.resourceUsage())));
