/**
 * Puts the API's complaint next to the field it names (`details.field`); anything else is the form's
 * general error, shown above the buttons.
 */
import type { UseFormReturnType } from "@mantine/form";
import { ApiError } from "../api/client.ts";

export function applyApiError<T extends Record<string, unknown>>(
  form: UseFormReturnType<T>,
  error: unknown,
  /** API field names that the form calls otherwise. */
  aliases: Record<string, keyof T & string> = {},
): boolean {
  if (!(error instanceof ApiError) || !error.field) return false;
  const field = aliases[error.field] ?? error.field;
  if (!(field in form.getValues())) return false;
  form.setFieldError(field, error.message);
  return true;
}
