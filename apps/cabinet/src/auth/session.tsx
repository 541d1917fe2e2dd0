/**
 * Who is signed in: `/auth/me`, kept by TanStack Query under ["session"]. A 401 anywhere signs the
 * cabinet out (to the login page); PASSWORD_CHANGE_REQUIRED sends the user to change it.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useEffect } from "react";
import { useLocation, useNavigate } from "react-router";
import { ApiError, api, onSessionEvent, rememberCsrf } from "../api/client.ts";
import type { CurrentUser, LoginResponse, SessionInfo } from "../api/types.ts";

export const SESSION_KEY = ["session"] as const;

interface SessionState {
  user: CurrentUser | null;
  loading: boolean;
  signedIn(answer: LoginResponse): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const session = useQuery({
    queryKey: SESSION_KEY,
    queryFn: async () => {
      try {
        return await api<SessionInfo>("GET", "/auth/me");
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 60_000,
    retry: false,
  });

  useEffect(
    () =>
      onSessionEvent((event) => {
        if (event === "signed-out") {
          queryClient.setQueryData(SESSION_KEY, null);
          queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
        } else {
          void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
          navigate("/change-password");
        }
      }),
    [queryClient, navigate],
  );

  const user = session.data?.user ?? null;
  useEffect(() => {
    if (user?.mustChangePassword && location.pathname !== "/change-password") navigate("/change-password");
  }, [user, location.pathname, navigate]);

  const state: SessionState = {
    user,
    loading: session.isPending,
    signedIn(answer) {
      rememberCsrf(answer.csrfToken);
      queryClient.setQueryData<SessionInfo>(SESSION_KEY, {
        session: answer.session,
        expiresAt: answer.expiresAt,
        idleTimeoutSeconds: answer.idleTimeoutSeconds,
        user: answer.user,
      });
    },
    async signOut() {
      try {
        await api("POST", "/auth/logout");
      } finally {
        rememberCsrf(null);
        queryClient.clear();
        queryClient.setQueryData(SESSION_KEY, null);
        navigate("/login");
      }
    },
  };
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error("useSession outside SessionProvider");
  return state;
}

/** The signed-in user, inside pages that require one. */
export function useUser(): CurrentUser {
  const { user } = useSession();
  if (!user) throw new Error("useUser on a page without a signed-in user");
  return user;
}
