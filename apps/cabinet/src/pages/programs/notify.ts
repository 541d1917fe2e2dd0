import { notifications } from "@mantine/notifications";
import i18n from "../../i18n/index.ts";

/** A passing note whose close button says what it does (Mantine leaves it unnamed). */
export function notify(message: string): void {
  notifications.show({ message, closeButtonProps: { "aria-label": i18n.t("common.close") } });
}
