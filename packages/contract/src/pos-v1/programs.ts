/** Schemas of the program endpoints. */
import { Type } from "typebox";

export const ProgramView = Type.Object({
  code: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  holdDays: Type.Integer(),
  cancelWindowMinutes: Type.Integer(),
  purchaseTtlSeconds: Type.Integer(),
  maxPointsPaymentShareBp: Type.Integer({ description: "basis points: 5000 = 50%" }),
  pointsLifetimeDays: Type.Union([Type.Integer(), Type.Null()]),
  rules: Type.Array(
    Type.Object({
      id: Type.Integer(),
      version: Type.Integer(),
      name: Type.String(),
      description: Type.Union([Type.String(), Type.Null()]),
      validFrom: Type.Union([Type.String(), Type.Null()], { description: "ISO 8601; null: since always" }),
      validTo: Type.Union([Type.String(), Type.Null()], {
        description: "ISO 8601, the first instant it no longer applies; null: forever",
      }),
    }),
    { description: "The program's active rules that have not ended, by priority: what a POS can show" },
  ),
});
