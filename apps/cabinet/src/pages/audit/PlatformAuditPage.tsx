import { useTranslation } from "react-i18next";
import { AuditLog } from "./AuditLog.tsx";

export default function PlatformAuditPage() {
  const { t } = useTranslation();
  return <AuditLog title={t("nav.platformAudit")} apiPath="/audit" queryKey="platform" />;
}
