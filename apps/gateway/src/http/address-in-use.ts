/** Whether listening failed because another socket holds the address (EADDRINUSE, on Node and Bun). */
export function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/** The one line a gateway says before it exits 2 when its port is taken. */
export function addressInUseMessage(port: number, host: string | undefined): string {
  return `port ${port} is already in use on ${host ?? 'all interfaces'}: stop what listens there or set another PORT`;
}
