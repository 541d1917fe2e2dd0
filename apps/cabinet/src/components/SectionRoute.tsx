import { Alert } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { can } from "../auth/permissions.ts";
import { useUser } from "../auth/session.tsx";
import type { Section } from "../sections.ts";

/** A section's page, or a plain refusal when the role may not open it (the server would refuse too). */
export function SectionRoute({ section }: { section: Section }) {
  const user = useUser();
  const { partnerCode = null } = useParams();
  const { t } = useTranslation();
  if (!can(user, partnerCode, section.permission)) {
    return (
      <Alert color="red" title={t("errors.forbiddenTitle")} role="alert">
        {t("errors.forbidden")}
      </Alert>
    );
  }
  const Page = section.page;
  return <Page key={partnerCode ?? "platform"} />;
}
