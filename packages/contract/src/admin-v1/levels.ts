/** Schemas of card levels and a program's level settings in the cabinet. */
import { Type } from "typebox";
import { AdminCode, AdminText, Timestamp } from "./common.js";

export const LEVEL_BASES = ["purchase_amount", "points_earned"] as const;
export const LEVEL_PERIODS = ["rolling_days", "calendar_year"] as const;
export const LEVEL_DOWNGRADES = ["none", "period_end"] as const;

const Threshold = Type.Integer({
  minimum: 0,
  maximum: 1_000_000_000_000,
  description: "kopecks of confirmed purchases, or hundredths of points earned, over the period",
});

export const LevelCreate = Type.Object(
  { code: AdminCode, name: AdminText(1, 100), threshold: Threshold },
  { additionalProperties: false },
);

export const LevelPatch = Type.Object(
  { name: Type.Optional(AdminText(1, 100)), threshold: Type.Optional(Threshold) },
  { additionalProperties: false, minProperties: 1 },
);

export const LevelView = Type.Object({
  code: Type.String(),
  name: Type.String(),
  threshold: Type.Integer(),
  rank: Type.Integer({ description: "1 for the lowest threshold" }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const LevelSettingsSchema = Type.Object(
  {
    basis: Type.Union([Type.Literal("purchase_amount"), Type.Literal("points_earned")]),
    period: Type.Union([Type.Literal("rolling_days"), Type.Literal("calendar_year")]),
    periodDays: Type.Integer({ minimum: 1, maximum: 3_660, description: "for rolling_days" }),
    downgrade: Type.Union([Type.Literal("none"), Type.Literal("period_end")]),
    upgradeAtConfirm: Type.Boolean({ description: "every confirm upgrades the card when its base allows" }),
  },
  { additionalProperties: false },
);

export const LevelList = Type.Object({ items: Type.Array(LevelView), settings: LevelSettingsSchema });
