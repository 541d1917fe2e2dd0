import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { ListedPurchase } from "../../api/types.ts";

export type PurchaseState = ListedPurchase["state"];

/** Every state, in the order of a purchase's life; typed by the contract, so a new state fails the build. */
export const PURCHASE_STATES: readonly PurchaseState[] = [
  "calculated",
  "confirmed",
  "partially_refunded",
  "refunded",
  "cancelled",
  "expired",
  "hanging",
];

const COLORS: Record<PurchaseState, string> = {
  calculated: "blue.9",
  confirmed: "teal.9",
  partially_refunded: "grape.9",
  refunded: "grape.9",
  cancelled: "gray.8",
  expired: "gray.8",
  hanging: "red.9",
};

/** A purchase's (or a line's) state in words, coloured for the eye. */
export function StateBadge({ state }: { state: string }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={COLORS[state as PurchaseState] ?? "gray.8"} style={{ flex: "none" }}>
      {t(`purchases.states.${state}`, { defaultValue: state })}
    </Badge>
  );
}

/** Why a purchase hangs, in words (the code stays visible for the support desk). */
export function useHangingReason() {
  const { t } = useTranslation();
  return (reason: string | null) =>
    reason ? t(`purchases.reasons.${reason}`, { defaultValue: reason }) : "—";
}

type DecimalFormat = { format(value: string): string };

/** Thousandths of a unit (quantities) for people: 1500 → 1,5; formatted from the exact decimal string. */
export function formatQuantity(thousandths: number, language: string): string {
  const sign = thousandths < 0 ? "-" : "";
  const abs = Math.abs(thousandths);
  const decimal = `${sign}${Math.trunc(abs / 1000)}.${String(abs % 1000).padStart(3, "0")}`;
  const format = new Intl.NumberFormat(language === "en" ? "en-GB" : "ru-RU", {
    maximumFractionDigits: 3,
  }) as unknown as DecimalFormat;
  return format.format(decimal);
}
