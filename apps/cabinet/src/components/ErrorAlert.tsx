import { Alert } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client.ts";

/** An API failure in words (the server's message, in the interface language) with its code. */
export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  if (error instanceof ApiError) {
    const title =
      error.status === 403
        ? t("errors.forbiddenTitle")
        : error.status === 429
          ? t("errors.rateLimitedTitle")
          : t("errors.title");
    return (
      <Alert color="red" title={title} role="alert">
        {error.message}
        {error.retryAfterSeconds !== null && (
          <> {t("errors.retryAfter", { seconds: error.retryAfterSeconds })}</>
        )}{" "}
        <code>({error.code})</code>
      </Alert>
    );
  }
  return (
    <Alert color="red" title={t("errors.title")} role="alert">
      {error instanceof Error ? error.message : String(error)}
    </Alert>
  );
}
