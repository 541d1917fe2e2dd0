import { createTheme } from "@mantine/core";

/** Colours chosen for contrast (WCAG AA) on white: text and controls stay readable on laptops. */
export const theme = createTheme({
  primaryColor: "indigo",
  primaryShade: 8,
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  defaultRadius: "sm",
  components: {
    Text: { defaultProps: {} },
  },
});
