/** A problem the user can fix (a bad data file, a taken port): reported as one line, never a stack trace. */
export class LocalSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalSetupError';
  }
}
