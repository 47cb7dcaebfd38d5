const REDRAW_EVERY_MS = 100;
const BAR_WIDTH = 30;

export interface Progress {
  update(done: number): void;
  /** Clears the bar so the summary starts on a clean line. */
  finish(): void;
}

/**
 * A one-line progress bar on an interactive terminal, nothing otherwise (pipes, CI, files). It first
 * draws after REDRAW_EVERY_MS, so short runs stay quiet.
 */
export function progressBar(total: number, stream: NodeJS.WriteStream): Progress {
  if (!stream.isTTY) return { update: () => undefined, finish: () => undefined };
  let lastDrawn = performance.now();
  let drawn = false;
  return {
    update(done) {
      const now = performance.now();
      if (now - lastDrawn < REDRAW_EVERY_MS) return;
      lastDrawn = now;
      drawn = true;
      const filled = Math.round((done / total) * BAR_WIDTH);
      const percent = Math.floor((done / total) * 100);
      stream.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${percent}% ` +
          `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} rows`,
      );
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
