/**
 * Schemas of programs and their rules in the admin API: program terms, rules as engine definitions with
 * their versions and diffs, the condition and effect registries for the cabinet's forms, and simulate.
 */
import { Type } from "typebox";
import { RuleDefinitionSchema } from "../rules/definition.js";
import { AdminCode, AdminText, Timestamp } from "./common.js";
import { ProgramRelationSchema } from "./programs.js";

const Bp = (description: string) => Type.Integer({ minimum: 0, maximum: 10_000, description });

const Cap = (description: string) =>
  Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 }), Type.Null()], { description }),
  );

/**
 * Anti-fraud caps of a loyalty program; each is optional, null (or absent) means no cap. Points are
 * hundredths. Days and weeks (Monday to Sunday) are the store's local calendar.
 */
export const AntiFraudCapsSchema = Type.Object(
  {
    maxPointsSpentPerCardPerDay: Cap("points a card may pay with per day"),
    maxPointsSpentPerCardPerWeek: Cap("points a card may pay with per week"),
    maxPointsPurchasesPerCardPerDay: Cap("purchases a card may pay with points per day"),
    maxAccrualPerCardPerDay: Cap("points a card may earn per day; more is trimmed, calculate never fails"),
    maxRefundsPerPosPerDay: Cap("refunds and cancels of confirmed purchases per POS credential per day"),
  },
  { additionalProperties: false },
);

/** The caps as stored and shown: every cap named, null when off. */
export interface AntiFraudCaps {
  maxPointsSpentPerCardPerDay: number | null;
  maxPointsSpentPerCardPerWeek: number | null;
  maxPointsPurchasesPerCardPerDay: number | null;
  maxAccrualPerCardPerDay: number | null;
  maxRefundsPerPosPerDay: number | null;
}

export const ANTI_FRAUD_CAPS = [
  "maxPointsSpentPerCardPerDay",
  "maxPointsSpentPerCardPerWeek",
  "maxPointsPurchasesPerCardPerDay",
  "maxAccrualPerCardPerDay",
  "maxRefundsPerPosPerDay",
] as const satisfies readonly (keyof AntiFraudCaps)[];

export type AntiFraudCap = (typeof ANTI_FRAUD_CAPS)[number];

const CapView = () => Type.Union([Type.Integer(), Type.Null()]);
const AntiFraudCapsView = Type.Object({
  maxPointsSpentPerCardPerDay: CapView(),
  maxPointsSpentPerCardPerWeek: CapView(),
  maxPointsPurchasesPerCardPerDay: CapView(),
  maxAccrualPerCardPerDay: CapView(),
  maxRefundsPerPosPerDay: CapView(),
});

const termProperties = {
  name: AdminText(1, 200),
  holdDays: Type.Integer({ minimum: 0, maximum: 3_660, description: "days accrued points stay pending" }),
  pointsLifetimeDays: Type.Union([Type.Integer({ minimum: 1, maximum: 36_600 }), Type.Null()], {
    description: "days active points live; null: forever",
  }),
  purchaseTtlSeconds: Type.Integer({
    minimum: 60,
    maximum: 7 * 86_400,
    description: "how long a calculated purchase waits for its confirm",
  }),
  cancelWindowMinutes: Type.Integer({
    minimum: 0,
    maximum: 525_600,
    description: "how long after confirm a purchase may be cancelled",
  }),
  maxPointsPaymentShareBp: Bp("the most of a receipt payable with points, basis points (5000 = 50 %)"),
  discountRounding: Type.Union([Type.Literal("half_up"), Type.Literal("down")], {
    description: "how percentage discounts round per line (default half_up)",
  }),
  maxLineDiscountBp: Bp("the largest total discount on a line, basis points"),
  maxReceiptDiscountBp: Bp("the largest total discount on a receipt, basis points"),
  refundPolicy: Type.Union([Type.Literal("proportional_minimum"), Type.Literal("pos_may_state_lower")]),
  active: Type.Boolean(),
};

export const ProgramCreate = Type.Object(
  {
    code: AdminCode,
    kind: Type.Optional(Type.Union([Type.Literal("loyalty"), Type.Literal("discount")])),
    name: termProperties.name,
    holdDays: Type.Optional(termProperties.holdDays),
    pointsLifetimeDays: Type.Optional(termProperties.pointsLifetimeDays),
    purchaseTtlSeconds: Type.Optional(termProperties.purchaseTtlSeconds),
    cancelWindowMinutes: Type.Optional(termProperties.cancelWindowMinutes),
    maxPointsPaymentShareBp: Type.Optional(termProperties.maxPointsPaymentShareBp),
    discountRounding: Type.Optional(termProperties.discountRounding),
    maxLineDiscountBp: Type.Optional(termProperties.maxLineDiscountBp),
    maxReceiptDiscountBp: Type.Optional(termProperties.maxReceiptDiscountBp),
    refundPolicy: Type.Optional(termProperties.refundPolicy),
    active: Type.Optional(termProperties.active),
  },
  { additionalProperties: false },
);

export const ProgramPatch = Type.Object(
  {
    name: Type.Optional(termProperties.name),
    holdDays: Type.Optional(termProperties.holdDays),
    pointsLifetimeDays: Type.Optional(termProperties.pointsLifetimeDays),
    purchaseTtlSeconds: Type.Optional(termProperties.purchaseTtlSeconds),
    cancelWindowMinutes: Type.Optional(termProperties.cancelWindowMinutes),
    maxPointsPaymentShareBp: Type.Optional(termProperties.maxPointsPaymentShareBp),
    discountRounding: Type.Optional(termProperties.discountRounding),
    maxLineDiscountBp: Type.Optional(termProperties.maxLineDiscountBp),
    maxReceiptDiscountBp: Type.Optional(termProperties.maxReceiptDiscountBp),
    refundPolicy: Type.Optional(termProperties.refundPolicy),
    active: Type.Optional(termProperties.active),
    antiFraud: Type.Optional(
      Type.Union([AntiFraudCapsSchema, Type.Null()], {
        description: "the anti-fraud caps as a whole: a cap left out or null is off; null turns all off",
      }),
    ),
  },
  { additionalProperties: false },
);

export const AdminProgramDetail = Type.Object({
  code: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  active: Type.Boolean(),
  ownerPartnerCode: Type.String(),
  relation: ProgramRelationSchema,
  version: Type.Integer({ description: "moves with every change of the program or its rules" }),
  rulesVersion: Type.String({ description: "what purchases priced now record" }),
  holdDays: Type.Integer(),
  pointsLifetimeDays: Type.Union([Type.Integer(), Type.Null()]),
  purchaseTtlSeconds: Type.Integer(),
  cancelWindowMinutes: Type.Integer(),
  maxPointsPaymentShareBp: Type.Integer(),
  discountRounding: Type.String(),
  maxLineDiscountBp: Type.Integer(),
  maxReceiptDiscountBp: Type.Integer(),
  refundPolicy: Type.String(),
  antiFraud: AntiFraudCapsView,
});

export const RuleIdParam = Type.String({ pattern: "^[1-9][0-9]{0,15}$" });
export const RuleVersionParam = Type.String({ pattern: "^[1-9][0-9]{0,8}$" });

/**
 * A rule as the marketer writes it: a definition (see RULES.md) without id, version and program, which the
 * server gives. It is checked field by field against the condition and effect registries; every problem
 * is answered at once (`RULE_INVALID`, `details.issues[]` each with its `field`).
 */
export const RuleBody = Type.Object(
  {},
  {
    additionalProperties: true,
    description:
      "name, description?, validFrom?, validTo?, priority, stacking {mode, group?, per?}, conditions [{type, params}], effects [{type, params}]; see GET …/rule-types",
  },
);

export const AdminRuleView = Type.Object({
  id: Type.Integer(),
  version: Type.Integer(),
  active: Type.Boolean(),
  definition: RuleDefinitionSchema,
  updatedAt: Timestamp,
});

export const AdminRuleList = Type.Object({ items: Type.Array(AdminRuleView) });

export const RuleVersionView = Type.Object({
  version: Type.Integer(),
  definition: RuleDefinitionSchema,
  createdAt: Timestamp,
  userId: Type.Union([Type.Integer(), Type.Null()]),
});

export const RuleVersionList = Type.Object({ items: Type.Array(RuleVersionView) });

export const RuleDiffQuery = Type.Object(
  { from: RuleVersionParam, to: RuleVersionParam },
  { additionalProperties: false },
);

export const RuleDiffView = Type.Object({
  ruleId: Type.Integer(),
  from: Type.Integer(),
  to: Type.Integer(),
  changes: Type.Array(
    Type.Object({
      path: Type.String({ description: "the field, as validation names it (effects[0].params.percentBp)" }),
      before: Type.Optional(Type.Unknown()),
      after: Type.Optional(Type.Unknown()),
    }),
  ),
});

const TypeInfo = Type.Object({
  title: Type.Object({ en: Type.String(), ru: Type.String() }),
  description: Type.String(),
  params: Type.Unknown({ description: "JSON Schema of the parameters" }),
  receiptLevel: Type.Optional(Type.Boolean()),
});

export const RuleTypesView = Type.Object({
  conditions: Type.Record(Type.String(), TypeInfo),
  effects: Type.Record(Type.String(), TypeInfo),
  stacking: Type.Unknown({ description: "JSON Schema of a rule's stacking" }),
  messagePlaceholders: Type.Array(Type.String()),
});

const SimulateLine = Type.Object(
  {
    lineId: Type.String({ minLength: 1, maxLength: 64 }),
    sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    barcode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    quantity: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    price: Type.Integer({ minimum: 0, maximum: 10_000_000_000 }),
    amount: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000_000 })),
  },
  { additionalProperties: false },
);

export const SimulateRequest = Type.Object(
  {
    programCode: Type.Optional(AdminCode),
    storeCode: AdminCode,
    cardNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    profile: Type.Optional(
      Type.Object(
        {
          level: Type.Optional(Type.Union([AdminText(1, 100), Type.Null()])),
          status: Type.Optional(
            Type.Union([Type.Literal("active"), Type.Literal("blocked"), Type.Literal("accrual_only")]),
          ),
          client: Type.Optional(
            Type.Object(
              {
                birthday: Type.Optional(
                  Type.String({ pattern: "^([0-9]{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$" }),
                ),
                registered: Type.Optional(Type.Boolean()),
                phoneConfirmed: Type.Optional(Type.Boolean()),
                emailConfirmed: Type.Optional(Type.Boolean()),
                firstPurchase: Type.Optional(Type.Boolean()),
              },
              { additionalProperties: false },
            ),
          ),
          history: Type.Optional(
            Type.Record(
              Type.String({ pattern: "^[a-z_]+:[a-z_]+(:[0-9]+)?$" }),
              Type.Integer({ minimum: 0 }),
              {
                description:
                  "history facts by key (count:today, amount:last_days:30, …); a card's are loaded",
              },
            ),
          ),
        },
        { additionalProperties: false, description: "a card profile, without a card (or over the card's)" },
      ),
    ),
    at: Type.Optional(
      Type.String({ format: "date-time", description: "the instant to price at; now by default" }),
    ),
    promoCodes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 10 })),
    pointsPayment: Type.Optional(Type.Boolean()),
    lines: Type.Array(SimulateLine, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false },
);

const Reason = Type.Object({
  code: Type.String(),
  text: Type.String(),
  path: Type.Optional(Type.String()),
  winnerRuleId: Type.Optional(Type.Integer()),
  group: Type.Optional(Type.String()),
});

export const SimulateView = Type.Object({
  programCode: Type.Union([Type.String(), Type.Null()]),
  rulesVersion: Type.String(),
  at: Timestamp,
  subtotal: Type.Integer(),
  discountTotal: Type.Integer(),
  total: Type.Integer(),
  accrualTotal: Type.Integer(),
  pointsPaymentLimit: Type.Integer(),
  lines: Type.Array(
    Type.Object({
      lineId: Type.String(),
      amount: Type.Integer(),
      discount: Type.Integer(),
      total: Type.Integer(),
      accrual: Type.Integer(),
      pointsPaymentCap: Type.Integer(),
      discounts: Type.Array(
        Type.Object({ ruleId: Type.Integer(), version: Type.Integer(), amount: Type.Integer() }),
      ),
      accruals: Type.Array(
        Type.Object({
          ruleId: Type.Integer(),
          version: Type.Integer(),
          amount: Type.Integer(),
          rateBp: Type.Integer(),
        }),
      ),
    }),
  ),
  appliedRules: Type.Array(
    Type.Object({
      ruleId: Type.Integer(),
      version: Type.Integer(),
      name: Type.String(),
      discount: Type.Integer(),
      accrual: Type.Integer(),
      promoCodes: Type.Array(Type.String()),
      notes: Type.Array(Reason),
    }),
  ),
  skippedRules: Type.Array(
    Type.Object({ ruleId: Type.Integer(), version: Type.Integer(), name: Type.String(), reason: Reason }),
    { description: "every active rule that gave nothing, and why" },
  ),
  messages: Type.Array(Type.Object({ code: Type.String(), text: Type.String() })),
  appliedPromoCodes: Type.Array(Type.String()),
  unknownPromoCodes: Type.Array(Type.String()),
  history: Type.Record(Type.String(), Type.Integer(), { description: "the history facts the rules read" }),
});
