import { notifications } from "@mantine/notifications";

/** A passing note after a change the manager made; `color` marks a success ("teal") or a warning. */
export function notify(message: string, color?: string): void {
  notifications.show({ message, ...(color ? { color } : {}) });
}
