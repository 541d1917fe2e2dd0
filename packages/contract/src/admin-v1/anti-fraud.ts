/** The cards and POS credentials that hit a program's anti-fraud caps, per local day. */
import { Type } from "typebox";
import { Timestamp } from "./common.js";

export const AntiFraudHitsQuery = Type.Object(
  {
    day: Type.String({
      pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
      description: "YYYY-MM-DD, the stores' local day the caps were hit on",
    }),
  },
  { additionalProperties: false },
);

export const AntiFraudHit = Type.Object({
  programCode: Type.String(),
  programName: Type.String(),
  programOwnerCode: Type.String({
    description: "the program's owner: the path's partner, or the one offering it",
  }),
  partnerCode: Type.String({
    description:
      "the partner whose POS hit the cap: the path's partner, or a participant of a program the path's partner owns and offers",
  }),
  cap: Type.String({ description: "the setting hit, e.g. maxPointsSpentPerCardPerDay" }),
  subject: Type.Union([Type.Literal("card"), Type.Literal("credential")]),
  cardNumber: Type.Union([Type.String(), Type.Null()], { description: "for caps per card" }),
  login: Type.Union([Type.String(), Type.Null()], { description: "the POS credential, for caps per POS" }),
  hits: Type.Integer({ description: "refusals or trimmed accruals that day" }),
  lastAt: Timestamp,
});

export const AntiFraudHitsView = Type.Object({
  day: Type.String(),
  items: Type.Array(AntiFraudHit),
});
