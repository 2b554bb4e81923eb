// A packaging problem, named by field.

/** One problem, named by field: an environment variable (APP_ID) or a JSON pointer (/bots/0/scopes). */
export interface FieldError {
  field: string;
  message: string;
}

export interface ValidationResult {
  ok: boolean;
  errors: FieldError[];
}

export class PackageError extends Error {
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(`${message}\n${formatErrors(errors)}`);
    this.name = "PackageError";
  }
}

export function formatErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => `  ${e.field}: ${e.message}`).join("\n");
}
