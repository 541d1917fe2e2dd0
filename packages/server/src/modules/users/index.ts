/** Cabinet users, memberships and sessions: the only code that writes users, user_memberships, admin_sessions. */
export * from "./sessions.js";
export * from "./users.js";
