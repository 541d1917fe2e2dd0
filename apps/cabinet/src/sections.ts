/**
 * The cabinet's sections: one entry per page in the menu. A page is a lazily loaded module (its own
 * chunk); the permission decides whether the menu shows it, and the server decides what it may do.
 * Adding a page: create `pages/<name>/<Name>Page.tsx` with a default export, add an entry here and its
 * label to `i18n/ru.ts` and `i18n/en.ts`.
 */
import { type ComponentType, type LazyExoticComponent, lazy } from "react";
import type { Permission, PlatformPermission } from "./auth/permissions.ts";
import type { MessageKey } from "./i18n/ru.ts";

export interface Section {
  /** The path under `/p/{partnerCode}/` (partner sections) or `/platform/` (platform sections). */
  path: string;
  permission: Permission | PlatformPermission;
  label: MessageKey;
  page: LazyExoticComponent<ComponentType>;
}

export const PARTNER_SECTIONS: readonly Section[] = [
  {
    path: "dashboard",
    permission: "reports.read",
    label: "nav.dashboard",
    page: lazy(() => import("./pages/dashboard/DashboardPage.tsx")),
  },
  {
    path: "stores",
    permission: "stores.read",
    label: "nav.stores",
    page: lazy(() => import("./pages/stores/StoresPage.tsx")),
  },
  {
    path: "credentials",
    permission: "credentials.read",
    label: "nav.credentials",
    page: lazy(() => import("./pages/credentials/CredentialsPage.tsx")),
  },
  {
    path: "programs",
    permission: "programs.read",
    label: "nav.programs",
    page: lazy(() => import("./pages/programs/ProgramsPage.tsx")),
  },
  {
    path: "discount-programs",
    permission: "programs.read",
    label: "discountPrograms.title",
    page: lazy(() => import("./pages/discount-programs/DiscountProgramsPage.tsx")),
  },
  {
    path: "products",
    permission: "programs.read",
    label: "products.title",
    page: lazy(() => import("./pages/products/ProductsPage.tsx")),
  },
  {
    path: "cards",
    permission: "cards.read",
    label: "nav.cards",
    page: lazy(() => import("./pages/cards/CardsPage.tsx")),
  },
  {
    path: "clients",
    permission: "clients.read",
    label: "nav.clients",
    page: lazy(() => import("./pages/clients/ClientsPage.tsx")),
  },
  {
    path: "purchases",
    permission: "purchases.read",
    label: "nav.purchases",
    page: lazy(() => import("./pages/purchases/PurchasesPage.tsx")),
  },
  {
    path: "anti-fraud",
    permission: "reports.read",
    label: "nav.antiFraud",
    page: lazy(() => import("./pages/anti-fraud/AntiFraudHitsPage.tsx")),
  },
  {
    path: "reports",
    permission: "reports.read",
    label: "nav.reports",
    page: lazy(() => import("./pages/reports/ReportsPage.tsx")),
  },
  {
    path: "users",
    permission: "users.read",
    label: "nav.users",
    page: lazy(() => import("./pages/users/MembersPage.tsx")),
  },
  {
    path: "audit",
    permission: "audit.read",
    label: "nav.audit",
    page: lazy(() => import("./pages/audit/PartnerAuditPage.tsx")),
  },
];

export const PLATFORM_SECTIONS: readonly Section[] = [
  {
    path: "partners",
    permission: "platform.partners",
    label: "nav.partners",
    page: lazy(() => import("./pages/partners/PartnersPage.tsx")),
  },
  {
    path: "users",
    permission: "platform.users",
    label: "nav.platformUsers",
    page: lazy(() => import("./pages/users/PlatformUsersPage.tsx")),
  },
  {
    path: "audit",
    permission: "platform.audit",
    label: "nav.platformAudit",
    page: lazy(() => import("./pages/audit/PlatformAuditPage.tsx")),
  },
];

/**
 * Pages reached from a section's page rather than from the menu (a program, a rule, a card, a client):
 * routed under `/p/{partnerCode}/` like the sections, guarded by their permission, not listed in the menu.
 */
export const PARTNER_DETAIL_PAGES: readonly Section[] = [
  {
    path: "programs/:programCode",
    permission: "programs.read",
    label: "nav.programs",
    page: lazy(() => import("./pages/programs/ProgramPage.tsx")),
  },
  {
    path: "programs/:programCode/rules/:ruleId",
    permission: "programs.read",
    label: "nav.programs",
    page: lazy(() => import("./pages/rules/RulePage.tsx")),
  },
  {
    path: "cards/:number",
    permission: "cards.read",
    label: "nav.cards",
    page: lazy(() => import("./pages/cards/CardPage.tsx")),
  },
  {
    path: "clients/:clientId",
    permission: "clients.read",
    label: "nav.clients",
    page: lazy(() => import("./pages/clients/ClientPage.tsx")),
  },
  {
    path: "purchases/:purchaseId",
    permission: "purchases.read",
    label: "nav.purchases",
    page: lazy(() => import("./pages/purchases/PurchasePage.tsx")),
  },
  {
    path: "discount-programs/:programCode",
    permission: "programs.read",
    label: "discountPrograms.title",
    page: lazy(() => import("./pages/discount-programs/DiscountProgramPage.tsx")),
  },
];
