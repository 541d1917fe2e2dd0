import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";

/** A secret the server shows once (a POS secret, a one-time password): copy it now or never. */
export function SecretModal({
  title,
  label,
  secret,
  onClose,
}: {
  title: string;
  label: string;
  secret: string | null;
  onClose(): void;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened={secret !== null} onClose={onClose} title={title} closeOnClickOutside={false} centered>
      <Stack>
        <Alert color="orange" title={t("secret.onceTitle")}>
          {t("secret.once")}
        </Alert>
        <Text size="sm" fw={600} id="secret-label">
          {label}
        </Text>
        <Code block aria-labelledby="secret-label" data-testid="secret-value" fz="md">
          {secret}
        </Code>
        <Group justify="space-between">
          <CopyButton value={secret ?? ""}>
            {({ copied, copy }) => (
              <Button variant={copied ? "filled" : "light"} color={copied ? "teal" : "indigo"} onClick={copy}>
                {copied ? t("secret.copied") : t("secret.copy")}
              </Button>
            )}
          </CopyButton>
          <Button onClick={onClose}>{t("secret.done")}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
