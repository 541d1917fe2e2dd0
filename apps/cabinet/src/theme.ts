import { type CSSVariablesResolver, createTheme, Modal, Notification } from "@mantine/core";

/** Colours chosen for contrast (WCAG AA) on white: text and controls stay readable on laptops. */
export function makeTheme(closeLabel: string) {
  return createTheme({
    primaryColor: "indigo",
    primaryShade: 8,
    fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
    defaultRadius: "sm",
    // Dialogs and menus appear at once for people who asked their system for less motion.
    respectReducedMotion: true,
    components: {
      // Every dialog's and note's close button says what it does, in the interface language.
      Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": closeLabel } } }),
      Notification: Notification.extend({ defaultProps: { closeButtonProps: { "aria-label": closeLabel } } }),
    },
  });
}

/**
 * Mantine's greys for hints and placeholders and its red for errors are too light for AA contrast
 * (4.5:1) on white: these are the lightest that pass.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "#6c757d",
    "--mantine-color-placeholder": "#6c757d",
    "--mantine-color-error": "var(--mantine-color-red-9)",
  },
  dark: {},
});
