/**
 * The admin API's shapes, derived from the contract's TypeBox schemas: a field renamed on the server
 * breaks this build. Type-only imports: no schema code reaches the browser.
 */
import type * as C from "@kopilka/contract";
import type { Static } from "typebox";

export type PartnerRole = Static<typeof C.PartnerRoleSchema>;
export type CurrentUser = Static<typeof C.CurrentUser>;
export type Membership = Static<typeof C.Membership>;
export type LoginRequest = Static<typeof C.LoginRequest>;
export type LoginResponse = Static<typeof C.LoginResponse>;
export type SessionInfo = Static<typeof C.SessionInfo>;
export type PasswordChangeRequest = Static<typeof C.PasswordChangeRequest>;

export type Partner = Static<typeof C.PartnerView>;
export type PartnerCreate = Static<typeof C.PartnerCreate>;
export type PartnerUpdate = Static<typeof C.PartnerUpdate>;

export type Store = Static<typeof C.StoreView>;
export type StoreCreate = Static<typeof C.StoreCreate>;
export type StoreUpdate = Static<typeof C.StoreUpdate>;

export type Credential = Static<typeof C.CredentialView>;
export type CredentialWithSecret = Static<typeof C.CredentialWithSecret>;
export type CredentialCreate = Static<typeof C.CredentialCreate>;
export type CredentialUpdate = Static<typeof C.CredentialUpdate>;

export type Member = Static<typeof C.MemberView>;
export type MemberCreate = Static<typeof C.MemberCreate>;
export type MemberCreated = Static<typeof C.MemberCreated>;
export type MemberUpdate = Static<typeof C.MemberUpdate>;

export type User = Static<typeof C.UserView>;
export type UserCreate = Static<typeof C.UserCreate>;
export type UserWithPassword = Static<typeof C.UserWithPassword>;

export type Program = Static<typeof C.AdminProgramView>;
export type Participant = Static<typeof C.ParticipantView>;

export type AuditEntry = Static<typeof C.AuditEntryView>;

export type Card = Static<typeof C.AdminCardView>;
export type CardDetail = Static<typeof C.AdminCardDetail>;
export type CardStatus = C.CardStatus;
export type CardGenerate = Static<typeof C.CardGenerateBody>;
export type CardBatch = Static<typeof C.CardBatchView>;
export type CardReplace = Static<typeof C.CardReplaceBody>;
export type CardReplacement = Static<typeof C.CardReplacementView>;
export type CheckDigit = Static<typeof C.CheckDigitSchema>;
export type LedgerEntry = Static<typeof C.LedgerEntryView>;
export type ListedPurchase = Static<typeof C.ListedPurchaseView>;
export type PointAdjustment = Static<typeof C.PointAdjustmentBody>;
export type PointAdjustmentResult = Static<typeof C.PointAdjustmentView>;

export type Client = Static<typeof C.AdminClientView>;
export type ClientDetail = Static<typeof C.AdminClientDetail>;
export type ClientUpdate = Static<typeof C.ClientUpdate>;
export type ClientMerge = Static<typeof C.ClientMergeBody>;
export type ClientMergeResult = Static<typeof C.ClientMergeView>;
export type ClientExport = Static<typeof C.ClientExport>;

/** Every keyset list answers one page and the cursor of the next. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type ProgramDetail = Static<typeof C.AdminProgramDetail>;
export type AntiFraudCaps = ProgramDetail["antiFraud"];
export type AntiFraudCap = C.AntiFraudCap;
export type AntiFraudHits = Static<typeof C.AntiFraudHitsView>;
export type AntiFraudHit = AntiFraudHits["items"][number];
export type RuleView = Static<typeof C.AdminRuleView>;
export type RuleDefinition = RuleView["definition"];
export type RuleVersion = Static<typeof C.RuleVersionView>;
export type RuleDiff = Static<typeof C.RuleDiffView>;
export type RuleTypes = Static<typeof C.RuleTypesView>;
export type SimulateRequest = Static<typeof C.SimulateRequest>;
export type SimulateResult = Static<typeof C.SimulateView>;
export type PromoCode = Static<typeof C.PromoCodeView>;
export type PromoCodeDetail = Static<typeof C.PromoCodeDetail>;
export type PromoCodeCreate = Static<typeof C.PromoCodeCreate>;
export type PromoBatch = Static<typeof C.PromoBatchView>;
export type PromoBatchCreate = Static<typeof C.PromoBatchCreate>;
export type PromoBatchCreated = Static<typeof C.PromoBatchCreated>;
export type Level = Static<typeof C.LevelView>;
export type LevelList = Static<typeof C.LevelList>;
export type LevelCreate = Static<typeof C.LevelCreate>;
export type LevelPatch = Static<typeof C.LevelPatch>;
export type LevelSettings = Static<typeof C.LevelSettingsSchema>;
// Purchases and reports (issue 10: the purchases and reports pages).
export type HangingPurchases = Static<typeof C.HangingList>;
export type PurchaseDetail = Static<typeof C.AdminPurchaseDetail>;
export type ResolveHanging = Static<typeof C.ResolveHangingBody>;
export type ResolveOutcome = Static<typeof C.ResolveOutcomeView>;
export type RuleList = Static<typeof C.AdminRuleList>;
export type Report = Static<typeof C.ReportView>;
export type ReportTable = Static<typeof C.ReportTableView>;
export type Dashboard = Static<typeof C.DashboardView>;

export type RegistrationSettings = Static<typeof C.RegistrationSettingsView>;
export type RegistrationSettingsUpdate = Static<typeof C.RegistrationSettingsUpdate>;
export type ProgramPatch = Static<typeof C.ProgramPatch>;
export type DiscountProgram = Static<typeof C.DiscountProgramView>;
export type DiscountProgramList = Static<typeof C.DiscountProgramList>;
export type DiscountProgramBody = Static<typeof C.DiscountProgramBody>;
export type DiscountProgramVersions = Static<typeof C.DiscountProgramVersionList>;
export type DiscountProgramItem = DiscountProgram["items"][number];
export type DiscountProgramLimit = DiscountProgram["limits"][number];
export type DiscountProgramCardRange = DiscountProgram["cardRanges"][number];
export type AdminProduct = Static<typeof C.AdminProductView>;
export type ProductImportItem = Static<typeof C.ProductImportBody>["items"][number];
export type ProductImportResult = Static<typeof C.ProductImportResult>;
