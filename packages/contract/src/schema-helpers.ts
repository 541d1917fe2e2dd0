/** Small TypeBox helpers shared by every surface's schemas. */
import { type Static, type TSchema, Type } from "typebox";
import { ErrorBody } from "./errors.js";

/** Response schemas for the error statuses a route can answer with (400 is always possible). */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries([400, ...statuses].map((s) => [s, ErrorBody]));
}

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/**
 * A nullable scalar as `type: [T, "null"]`: the serializer handles it directly, whereas `anyOf` makes it
 * validate every value first.
 */
export const NullableScalar = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(
  t: T,
) => Type.Unsafe<Static<T> | null>({ ...t, type: [t.type, "null"] });
