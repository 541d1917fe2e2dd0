import { AppShell, Burger, Button, Group, NavLink, ScrollArea, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useLocation, useParams } from "react-router";
import { can } from "../auth/permissions.ts";
import { useSession, useUser } from "../auth/session.tsx";
import { PARTNER_SECTIONS, PLATFORM_SECTIONS, type Section } from "../sections.ts";
import { LanguageSwitch } from "./LanguageSwitch.tsx";
import { PageLoader } from "./PageLoader.tsx";
import { PartnerSwitch } from "./PartnerSwitch.tsx";

export function Layout() {
  const user = useUser();
  const { signOut } = useSession();
  const { t } = useTranslation();
  const { partnerCode } = useParams();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure();
  const partner = partnerCode ?? user.memberships.find((m) => m.enabled)?.partnerCode ?? null;

  const item = (base: string, s: Section) => {
    const to = `${base}/${s.path}`;
    return (
      <NavLink
        key={to}
        component={Link}
        to={to}
        label={t(s.label)}
        variant="filled"
        active={location.pathname === to}
        aria-current={location.pathname === to ? "page" : undefined}
        onClick={close}
      />
    );
  };
  const partnerItems = partner ? PARTNER_SECTIONS.filter((s) => can(user, partner, s.permission)) : [];
  const platformItems = PLATFORM_SECTIONS.filter((s) => can(user, null, s.permission));

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 240, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t("nav.menu")} />
            <Title order={1} size="h3" c="indigo.9">
              {t("app.name")}
            </Title>
            <PartnerSwitch current={partner} />
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LanguageSwitch />
            <Text size="sm" visibleFrom="md" data-testid="user-email">
              {user.email}
            </Text>
            <Button variant="default" size="xs" onClick={() => void signOut()}>
              {t("auth.signOut")}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t("nav.menu")}>
        <ScrollArea>
          {partnerItems.length > 0 && (
            <>
              <Text size="xs" fw={700} tt="uppercase" c="gray.8" px="sm" py={4}>
                {t("nav.partnerGroup")}
              </Text>
              {partnerItems.map((s) => item(`/p/${encodeURIComponent(partner!)}`, s))}
            </>
          )}
          {platformItems.length > 0 && (
            <>
              <Text size="xs" fw={700} tt="uppercase" c="gray.8" px="sm" py={4} mt="md">
                {t("nav.platformGroup")}
              </Text>
              {platformItems.map((s) => item("/platform", s))}
            </>
          )}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<PageLoader />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
