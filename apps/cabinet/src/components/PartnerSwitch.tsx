import { Select, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router";
import { api } from "../api/client.ts";
import type { Page, Partner } from "../api/types.ts";
import { can } from "../auth/permissions.ts";
import { useUser } from "../auth/session.tsx";
import { PARTNER_SECTIONS } from "../sections.ts";

/**
 * The partner the cabinet acts in, when the user can act in more than one: their memberships, and every
 * partner for a platform administrator. Switching keeps the section.
 */
export function PartnerSwitch({ current }: { current: string | null }) {
  const user = useUser();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const all = useQuery({
    queryKey: ["partners", "switcher"],
    queryFn: () => api<Page<Partner>>("GET", "/partners", undefined, { limit: 200, sort: "name" }),
    enabled: user.platformAdmin,
  });
  const options = new Map<string, string>();
  for (const m of user.memberships) if (m.enabled) options.set(m.partnerCode, m.partnerName);
  for (const p of all.data?.items ?? []) options.set(p.code, p.name);
  if (options.size === 0) return null;
  if (options.size === 1 && current) {
    return (
      <Text size="sm" c="gray.8" visibleFrom="sm">
        {options.get(current) ?? current}
      </Text>
    );
  }
  const section = location.pathname.match(/^\/p\/[^/]+\/([^/]+)/)?.[1] ?? "";
  return (
    <Select
      aria-label={t("nav.partner")}
      placeholder={t("nav.partner")}
      size="xs"
      w={220}
      searchable
      allowDeselect={false}
      value={current}
      data={[...options].map(([value, label]) => ({ value, label: `${label} (${value})` }))}
      onChange={(code) => {
        if (!code) return;
        const same = PARTNER_SECTIONS.find((s) => s.path === section);
        const keep = same && can(user, code, same.permission);
        navigate(`/p/${encodeURIComponent(code)}${keep ? `/${section}` : ""}`);
      }}
    />
  );
}
