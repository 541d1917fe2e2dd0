import { MantineProvider } from "@mantine/core";
import { DatesProvider } from "@mantine/dates";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { ApiError } from "./api/client.ts";
import { SessionProvider } from "./auth/session.tsx";
import { Landing, RequireUser } from "./components/guards.tsx";
import { Layout } from "./components/Layout.tsx";
import { PageLoader } from "./components/PageLoader.tsx";
import { SectionRoute } from "./components/SectionRoute.tsx";
import { PARTNER_DETAIL_PAGES, PARTNER_SECTIONS, PLATFORM_SECTIONS } from "./sections.ts";
import { cssVariablesResolver, makeTheme } from "./theme.ts";

const LoginPage = lazy(() => import("./pages/login/LoginPage.tsx"));
const ChangePasswordPage = lazy(() => import("./pages/login/ChangePasswordPage.tsx"));
const NotFoundPage = lazy(() => import("./pages/NotFoundPage.tsx"));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // Client errors (401, 403, 404, 400) do not get better by asking again.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

export function App() {
  const { t, i18n } = useTranslation();
  const theme = useMemo(() => makeTheme(t("common.close")), [t]);
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <DatesProvider settings={{ locale: i18n.language, firstDayOfWeek: 1 }}>
        {/* Top centre: page actions sit at the top right, and a note there would cover the button just pressed. */}
        <Notifications position="top-center" />
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <SessionProvider>
              <Suspense fallback={<PageLoader />}>
                <Routes>
                  <Route path="/login" element={<LoginPage />} />
                  <Route
                    path="/change-password"
                    element={
                      <RequireUser>
                        <ChangePasswordPage />
                      </RequireUser>
                    }
                  />
                  <Route
                    element={
                      <RequireUser>
                        <Layout />
                      </RequireUser>
                    }
                  >
                    <Route index element={<Landing />} />
                    <Route path="p/:partnerCode">
                      <Route index element={<Landing />} />
                      {PARTNER_SECTIONS.map((s) => (
                        <Route key={s.path} path={s.path} element={<SectionRoute section={s} />} />
                      ))}
                      {PARTNER_DETAIL_PAGES.map((s) => (
                        <Route key={s.path} path={s.path} element={<SectionRoute section={s} />} />
                      ))}
                    </Route>
                    <Route path="platform">
                      <Route index element={<Navigate to="/platform/partners" replace />} />
                      {PLATFORM_SECTIONS.map((s) => (
                        <Route key={s.path} path={s.path} element={<SectionRoute section={s} />} />
                      ))}
                    </Route>
                    <Route path="*" element={<NotFoundPage />} />
                  </Route>
                </Routes>
              </Suspense>
            </SessionProvider>
          </BrowserRouter>
        </QueryClientProvider>
      </DatesProvider>
    </MantineProvider>
  );
}
