import { Box, Group, Text } from "@mantine/core";
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
  calculated: "blue.7",
  confirmed: "teal.7",
  partially_refunded: "grape.7",
  refunded: "grape.7",
  cancelled: "gray.5",
  expired: "gray.5",
  hanging: "red.7",
};

/** A purchase's (or a line's) state: a coloured dot for the eye and the word for everyone. */
export function StateBadge({ state }: { state: string }) {
  const { t } = useTranslation();
  return (
    <Group gap={6} wrap="nowrap">
      <Box
        w={10}
        h={10}
        bg={COLORS[state as PurchaseState] ?? "gray.5"}
        style={{ borderRadius: "50%", flex: "none" }}
        aria-hidden
      />
      <Text size="sm" fw={state === "hanging" ? 700 : undefined}>
        {t(`purchases.states.${state}`, { defaultValue: state })}
      </Text>
    </Group>
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
