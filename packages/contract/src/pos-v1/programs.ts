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
});
