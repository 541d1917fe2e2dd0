import { useTranslation } from "react-i18next";
import { usePartner } from "../../lib/partner.ts";
import { AuditLog } from "./AuditLog.tsx";

export default function PartnerAuditPage() {
  const { t } = useTranslation();
  const partner = usePartner();
  return <AuditLog title={t("nav.audit")} apiPath={`${partner.path}/audit`} queryKey={partner.code} />;
}
