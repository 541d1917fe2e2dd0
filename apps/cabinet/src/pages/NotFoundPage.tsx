import { Alert, Button } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

export default function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Alert title={t("errors.notFoundTitle")} color="gray">
      {t("errors.notFound")}{" "}
      <Button component={Link} to="/" variant="subtle" size="compact-sm">
        {t("nav.home")}
      </Button>
    </Alert>
  );
}
