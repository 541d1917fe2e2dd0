/** Schemas of POS authentication. */
import { Type } from "typebox";

export const TokenRequest = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: 128 }),
    secret: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const TokenResponse = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal("Bearer"),
  expiresAt: Type.String({ format: "date-time" }),
  expiresIn: Type.Integer({ description: "seconds" }),
});
