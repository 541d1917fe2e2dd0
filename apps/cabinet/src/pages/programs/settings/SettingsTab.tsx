import { Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { ProgramDetail } from "../../../api/types.ts";
import { can } from "../../../auth/permissions.ts";
import { useUser } from "../../../auth/session.tsx";
import { usePartner } from "../../../lib/partner.ts";
import { AntiFraudForm } from "./AntiFraudForm.tsx";
import { RegistrationForm } from "./RegistrationForm.tsx";
import { TermsForm } from "./TermsForm.tsx";

/** A program's terms, anti-fraud caps and registration settings; only its owner's writers change them. */
export function SettingsTab({ programPath, program }: { programPath: string; program: ProgramDetail }) {
  const { t } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const readOnly = !can(user, partner.code, "programs.write") || program.relation !== "owner";
  return (
    <Stack>
      {readOnly && (
        <Text size="sm" c="gray.8">
          {t("settings.readOnly")}
        </Text>
      )}
      <TermsForm
        key={`terms-${program.version}`}
        programPath={programPath}
        program={program}
        readOnly={readOnly}
      />
      {program.kind === "loyalty" && (
        <AntiFraudForm
          key={`anti-fraud-${program.version}`}
          programPath={programPath}
          program={program}
          readOnly={readOnly}
        />
      )}
      <RegistrationForm programPath={programPath} programCode={program.code} readOnly={readOnly} />
    </Stack>
  );
}
