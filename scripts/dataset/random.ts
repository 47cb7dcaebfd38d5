/** The random source every draw of the generator goes through. */
export interface Random {
  /** A whole number from min to max, both included. */
  int(min: number, max: number): number;
  /** A number in [0, 1). */
  unit(): number;
  /** One of the choices, each as likely. */
  pick<T>(choices: readonly T[]): T;
}
