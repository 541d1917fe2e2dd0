import { SegmentedControl } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { type Language, setLanguage } from "../i18n/index.ts";

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t("app.language")}
      value={i18n.language}
      onChange={(value) => setLanguage(value as Language)}
      data={[
        { value: "ru", label: "RU" },
        { value: "en", label: "EN" },
      ]}
    />
  );
}
