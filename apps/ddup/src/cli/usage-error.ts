/** The command line asks for something the CLI cannot do: main prints the message and a one-line usage, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
