import { notifications } from "@mantine/notifications";
import i18n from "../../i18n/index.ts";

/** A notification whose close button says what it does (axe: every button has a name). */
export function notify(message: string, color?: string): void {
  notifications.show({
    message,
    ...(color ? { color } : {}),
    closeButtonProps: { "aria-label": i18n.t("common.close") },
  });
}
