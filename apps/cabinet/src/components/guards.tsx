import type { ReactNode } from "react";
import { Navigate, useLocation, useParams } from "react-router";
import { can } from "../auth/permissions.ts";
import { useSession } from "../auth/session.tsx";
import { PARTNER_SECTIONS, PLATFORM_SECTIONS } from "../sections.ts";
import { PageLoader } from "./PageLoader.tsx";

/** Pages behind sign-in: without a session, the login page, which comes back here after. */
export function RequireUser({ children }: { children: ReactNode }) {
  const { user, loading } = useSession();
  const location = useLocation();
  if (loading) return <PageLoader />;
  if (!user) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

/** `/` and `/p/{code}`: the first section the user may open. */
export function Landing() {
  const { user } = useSession();
  const { partnerCode } = useParams();
  if (!user) return null;
  const partner = partnerCode ?? user.memberships.find((m) => m.enabled)?.partnerCode ?? null;
  if (partner) {
    const first = PARTNER_SECTIONS.find((s) => can(user, partner, s.permission));
    if (first) return <Navigate to={`/p/${encodeURIComponent(partner)}/${first.path}`} replace />;
  }
  const platform = PLATFORM_SECTIONS.find((s) => can(user, null, s.permission));
  if (platform) return <Navigate to={`/platform/${platform.path}`} replace />;
  return <Navigate to="/no-access" replace />;
}
