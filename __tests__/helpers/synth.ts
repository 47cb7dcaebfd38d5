import { App, Testing } from 'cdktf';
import { buildStacks } from '../../stacks/app';
import { loadConfig } from '../../stacks/config';

/** Builds every stack from an environment (like `cdktf synth` would) in a test app. */
export function synthStacks(env: Record<string, string> = {}) {
  const app = Testing.app() as App;
  const stacks = buildStacks(app, loadConfig(env));
  return { app, stacks, synth: (stack: Parameters<typeof Testing.synth>[0]) => Testing.synth(stack) };
}

/** Parses a synthesized stack so tests can inspect values the matchers cannot express. */
export function parse(synthesized: string): {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
  terraform: { backend: Record<string, Record<string, unknown>> };
} {
  return JSON.parse(synthesized);
}
