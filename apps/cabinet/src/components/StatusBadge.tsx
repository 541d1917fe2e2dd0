import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";

export function StatusBadge({ on }: { on: boolean }) {
  const { t } = useTranslation();
  return (
    <Badge color={on ? "teal.9" : "gray.7"} variant="filled">
      {on ? t("common.enabled") : t("common.disabled")}
    </Badge>
  );
}
