/** Building blocks of the admin API's schemas: safe text, codes, roles, list queries and pages. */
import { type TObject, type TProperties, type TSchema, Type } from "typebox";
export const PartnerRoleSchema = Type.Union([
  Type.Literal("owner"),
  Type.Literal("marketer"),
  Type.Literal("operator"),
  Type.Literal("analyst"),
]);

/** Text a person typed: no control characters. */
export const AdminText = (minLength: number, maxLength: number) =>
  Type.String({ minLength, maxLength, pattern: "^[^\\u0000-\\u001F\\u007F]*$" });

/** A code used in paths (partner, store, program, POS login): letters, digits, `.`, `_`, `-`. */
export const AdminCode = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
});

export const Email = Type.String({ minLength: 3, maxLength: 254, format: "email" });

export const Timestamp = Type.String({ format: "date-time" });

export const BooleanQuery = Type.Union([Type.Literal("true"), Type.Literal("false")]);

/**
 * The query of a list: `limit` (1–200, default 50), `cursor` (from the previous page's `nextCursor`),
 * `sort` (a key, `-` first for descending) and the list's own filters. Query values are strings.
 */
export function ListQuery<P extends TProperties>(sortKeys: readonly string[], filters: P) {
  return Type.Object(
    {
      limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,3}$", description: "1 to 200, default 50" })),
      cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: "^[A-Za-z0-9_-]+$" })),
      sort: Type.Optional(Type.Union(sortKeys.flatMap((k) => [Type.Literal(k), Type.Literal(`-${k}`)]))),
      ...filters,
    },
    { additionalProperties: false },
  );
}

export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: "Pass as `cursor` for the next page; null on the last page",
    }),
  });
}

export const PartnerCodeParams = Type.Object({ partnerCode: AdminCode });

export function PartnerParams<P extends TProperties>(
  more: P,
): TObject<P & { partnerCode: typeof AdminCode }> {
  return Type.Object({ partnerCode: AdminCode, ...more }) as TObject<P & { partnerCode: typeof AdminCode }>;
}

export const UserIdParam = Type.String({ pattern: "^[1-9][0-9]{0,15}$" });
