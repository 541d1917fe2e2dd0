import { useTranslation } from "react-i18next";
import { StatusDot } from "./StatusDot.tsx";

const COLORS: Record<string, string> = { active: "teal.7", blocked: "red.7", accrual_only: "orange.6" };

/** A card's status in words (an unknown one as the server spells it). */
export function CardStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <StatusDot
      color={COLORS[status] ?? "gray.5"}
      label={t(`cards.statuses.${status}`, { defaultValue: status })}
    />
  );
}
