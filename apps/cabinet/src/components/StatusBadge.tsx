import { Box, Group, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";

/** On or off: a coloured dot for the eye and the word for everyone. */
export function StatusBadge({ on }: { on: boolean }) {
  const { t } = useTranslation();
  return (
    <Group gap={6} wrap="nowrap">
      <Box
        w={10}
        h={10}
        bg={on ? "teal.7" : "gray.5"}
        style={{ borderRadius: "50%", flex: "none" }}
        aria-hidden
      />
      <Text size="sm">{on ? t("common.enabled") : t("common.disabled")}</Text>
    </Group>
  );
}
