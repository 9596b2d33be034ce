/** RegistryError is a failed registry call; `status` is the HTTP status (0 when no response). */
export class RegistryError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'RegistryError';
    this.status = status;
  }
}
