import {
  Alert,
  Box,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Stack,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { ApiError, api } from "../../api/client.ts";
import type { LoginRequest, LoginResponse } from "../../api/types.ts";
import { useSession } from "../../auth/session.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { LanguageSwitch } from "../../components/LanguageSwitch.tsx";
import { applyApiError } from "../../lib/forms.ts";

/** Where to go after signing in: only a path of this site. */
function safeNext(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export default function LoginPage() {
  const { t } = useTranslation();
  const { user, signedIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const form = useForm<LoginRequest>({
    mode: "controlled",
    initialValues: { email: "", password: "" },
    validate: {
      email: (v) => (v.trim() ? null : t("form.required")),
      password: (v) => (v ? null : t("form.required")),
    },
  });
  const login = useMutation({
    mutationFn: (values: LoginRequest) =>
      api<LoginResponse>("POST", "/auth/login", { ...values, session: "cookie" }),
    onSuccess: (answer) => {
      signedIn(answer);
      navigate(answer.user.mustChangePassword ? "/change-password" : next, { replace: true });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 429 && error.retryAfterSeconds !== null) {
        setWaitUntil(Date.now() + error.retryAfterSeconds * 1000);
      } else {
        applyApiError(form, error);
      }
    },
  });
  const secondsLeft = waitUntil === null ? 0 : Math.max(0, Math.ceil((waitUntil - now) / 1000));
  useEffect(() => {
    if (waitUntil === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [waitUntil]);

  if (user && !login.isPending && !login.isSuccess) return <Navigate to={next} replace />;
  const error = login.error;
  return (
    <Box component="main" bg="gray.1" mih="100vh">
      <Center mih="100vh" p="md">
        <Paper withBorder shadow="sm" p="xl" w={400} maw="100%">
          <Group justify="space-between" mb="lg">
            <Title order={1} size="h2">
              {t("app.name")}
            </Title>
            <LanguageSwitch />
          </Group>
          <form onSubmit={form.onSubmit((values) => login.mutate(values))} noValidate>
            <Stack>
              <Title order={2} size="h4">
                {t("auth.signInTitle")}
              </Title>
              <TextInput
                label={t("auth.email")}
                type="email"
                autoComplete="username"
                required
                {...form.getInputProps("email")}
              />
              <PasswordInput
                label={t("auth.password")}
                autoComplete="current-password"
                required
                {...form.getInputProps("password")}
              />
              {secondsLeft > 0 ? (
                <Alert color="orange" title={t("errors.rateLimitedTitle")} role="alert">
                  {t("auth.lockedFor", { seconds: secondsLeft })}
                </Alert>
              ) : error instanceof ApiError && error.status === 401 ? (
                <Alert color="red" role="alert">
                  {t("auth.wrongCredentials")}
                </Alert>
              ) : error && !(error instanceof ApiError && error.field && error.status === 400) ? (
                <ErrorAlert error={error} />
              ) : null}
              <Button type="submit" loading={login.isPending} disabled={secondsLeft > 0} fullWidth>
                {t("auth.signIn")}
              </Button>
            </Stack>
          </form>
        </Paper>
      </Center>
    </Box>
  );
}
