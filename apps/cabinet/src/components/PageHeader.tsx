import { Group, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { userTimeZone } from "../lib/format.ts";

/** A page's title, its actions, and the time zone its times are shown in. */
export function PageHeader({
  title,
  actions,
  showTimeZone = true,
}: {
  title: string;
  actions?: ReactNode;
  showTimeZone?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Group justify="space-between" align="flex-start" mb="md">
      <Stack gap={2}>
        <Title order={2}>{title}</Title>
        {showTimeZone && (
          <Text size="sm" c="gray.8" data-testid="time-zone-note">
            {t("common.timesIn", { zone: userTimeZone() })}
          </Text>
        )}
      </Stack>
      {actions && <Group>{actions}</Group>}
    </Group>
  );
}
