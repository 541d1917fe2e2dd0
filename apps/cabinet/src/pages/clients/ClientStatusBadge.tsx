import { useTranslation } from "react-i18next";
import { StatusDot } from "../cards/StatusDot.tsx";

const COLORS: Record<string, string> = {
  registered: "blue.6",
  confirmed: "teal.7",
  merged: "gray.5",
  anonymised: "gray.5",
};

/** A client's status in words (an unknown one as the server spells it). */
export function ClientStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <StatusDot
      color={COLORS[status] ?? "gray.5"}
      label={t(`clients.statuses.${status}`, { defaultValue: status })}
    />
  );
}
