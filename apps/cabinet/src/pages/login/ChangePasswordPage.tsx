import { Alert, Box, Button, Center, Paper, PasswordInput, Stack, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { api } from "../../api/client.ts";
import type { PasswordChangeRequest } from "../../api/types.ts";
import { SESSION_KEY, useUser } from "../../auth/session.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { applyApiError } from "../../lib/forms.ts";

type Values = PasswordChangeRequest & { repeat: string };

export default function ChangePasswordPage() {
  const { t } = useTranslation();
  const user = useUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: { currentPassword: "", newPassword: "", repeat: "" },
    validate: {
      currentPassword: (v) => (v ? null : t("form.required")),
      newPassword: (v) => (v ? null : t("form.required")),
      repeat: (v, values) => (v === values.newPassword ? null : t("auth.passwordsDiffer")),
    },
  });
  const change = useMutation({
    mutationFn: ({ currentPassword, newPassword }: Values) =>
      api("POST", "/auth/password", { currentPassword, newPassword } satisfies PasswordChangeRequest),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: SESSION_KEY });
      navigate("/", { replace: true });
    },
    onError: (error) => applyApiError(form, error),
  });
  return (
    <Box component="main" bg="gray.1" mih="100vh">
      <Center mih="100vh" p="md">
        <Paper withBorder shadow="sm" p="xl" w={420} maw="100%">
          <form onSubmit={form.onSubmit((v) => change.mutate(v))} noValidate>
            <Stack>
              <Title order={1} size="h3">
                {t("auth.changePasswordTitle")}
              </Title>
              {user.mustChangePassword && (
                <Alert color="orange" role="status">
                  {t("auth.mustChange")}
                </Alert>
              )}
              <PasswordInput
                label={t("auth.currentPassword")}
                autoComplete="current-password"
                required
                {...form.getInputProps("currentPassword")}
              />
              <PasswordInput
                label={t("auth.newPassword")}
                autoComplete="new-password"
                required
                {...form.getInputProps("newPassword")}
              />
              <PasswordInput
                label={t("auth.repeatPassword")}
                autoComplete="new-password"
                required
                {...form.getInputProps("repeat")}
              />
              {change.error && !form.errors.currentPassword && !form.errors.newPassword && (
                <ErrorAlert error={change.error} />
              )}
              <Button type="submit" loading={change.isPending}>
                {t("auth.changePassword")}
              </Button>
            </Stack>
          </form>
        </Paper>
      </Center>
    </Box>
  );
}
